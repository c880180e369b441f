/**
 * What the paper `\input`s besides figures: `paper/generated/numbers.tex` (every measured number
 * the text quotes, as macros), `paper/generated/published.tex` (the constants it compares with)
 * and `paper/generated/tables/*.tex`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NUMBERS_TEX, generateNumbersTex } from './numbers.ts';
import { paperTables } from './paper-tables.ts';
import { publishedTex } from './published.ts';
import { readCompare } from './readers.ts';
import { compareTableTex, provenanceTableTex } from './tables.ts';

/** Where the literature's and the course's constants go, relative to the root. */
export const PUBLISHED_TEX = 'paper/generated/published.tex';

/**
 * Writes numbers.tex, published.tex and the tables; returns the pending macros printed n/a
 * (`missing`) and the missing keys that are errors (`errors`: then nothing is written, so the
 * previous paper inputs stay as they were).
 * `profile` (the `profile` param) ends numbers.tex with `\def\seqlabprofile{…}`: seqlab.sty
 * stamps every page of a build from a profile other than the default. A `\def`, not a
 * `\newcommand`, so that `pipeline verify` does not take it for a number.
 */
export async function writePaperInputs(root: string, opts: { compareFile?: string; tablesDir?: string; profile?: string } = {}): Promise<{ missing: string[]; errors: string[] }> {
  const numbers = await generateNumbersTex(root);
  if (numbers.errors.length > 0) return { missing: numbers.missing, errors: numbers.errors };
  const rows = await readCompare(path.join(root, opts.compareFile ?? 'reports/compare.json'));
  await mkdir(path.dirname(path.join(root, NUMBERS_TEX)), { recursive: true });
  const profile = (opts.profile ?? 'default').replace(/[^A-Za-z0-9 ._-]/g, '');
  await writeFile(path.join(root, NUMBERS_TEX), `${numbers.text}${numbers.text.endsWith('\n') ? '' : '\n'}\\def\\seqlabprofile{${profile}}\n`);
  await writeFile(path.join(root, PUBLISHED_TEX), publishedTex());
  const tables = path.join(root, opts.tablesDir ?? 'paper/generated/tables');
  await mkdir(tables, { recursive: true });
  await writeFile(path.join(tables, 'compare.tex'), compareTableTex(rows, 'Test metrics of every model the pipeline trained (from \\texttt{reports/compare.json}).'));
  await writeFile(path.join(tables, 'provenance.tex'), provenanceTableTex(rows));
  for (const [name, tex] of Object.entries(paperTables())) await writeFile(path.join(tables, name), tex);
  return { missing: numbers.missing, errors: [] };
}
