/**
 * What the paper `\input`s besides figures: `paper/generated/numbers.tex` (every number the text
 * quotes, as macros) and `paper/generated/tables/*.tex`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NUMBERS_TEX, generateNumbersTex } from './numbers.ts';
import { readCompare } from './readers.ts';
import { compareTableTex, provenanceTableTex } from './tables.ts';

/**
 * Writes numbers.tex and the tables; returns the macros whose sources are missing (printed n/a).
 * `profile` (the `profile` param) ends numbers.tex with `\def\seqlabprofile{…}`: seqlab.sty
 * stamps every page of a build from a profile other than the default. A `\def`, not a
 * `\newcommand`, so that `pipeline verify` does not take it for a number.
 */
export async function writePaperInputs(root: string, opts: { compareFile?: string; tablesDir?: string; profile?: string } = {}): Promise<{ missing: string[] }> {
  const numbers = await generateNumbersTex(root);
  await mkdir(path.dirname(path.join(root, NUMBERS_TEX)), { recursive: true });
  const profile = (opts.profile ?? 'default').replace(/[^A-Za-z0-9 ._-]/g, '');
  await writeFile(path.join(root, NUMBERS_TEX), `${numbers.text}${numbers.text.endsWith('\n') ? '' : '\n'}\\def\\seqlabprofile{${profile}}\n`);
  const tables = path.join(root, opts.tablesDir ?? 'paper/generated/tables');
  await mkdir(tables, { recursive: true });
  const rows = await readCompare(path.join(root, opts.compareFile ?? 'reports/compare.json'));
  await writeFile(path.join(tables, 'compare.tex'), compareTableTex(rows, 'Test metrics of every model the pipeline trained (from \\texttt{reports/compare.json}).'));
  await writeFile(path.join(tables, 'provenance.tex'), provenanceTableTex(rows));
  return { missing: numbers.missing };
}
