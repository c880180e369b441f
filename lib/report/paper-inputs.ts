/**
 * What the paper `\input`s besides figures: `paper/generated/numbers.tex` (every number the text
 * quotes, as macros) and `paper/generated/tables/*.tex`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NUMBERS_TEX, generateNumbersTex } from './numbers.ts';
import { readCompare } from './readers.ts';
import { compareTableTex, provenanceTableTex } from './tables.ts';

/** Writes numbers.tex and the tables; returns the macros whose sources are missing (printed n/a). */
export async function writePaperInputs(root: string, opts: { compareFile?: string; tablesDir?: string } = {}): Promise<{ missing: string[] }> {
  const numbers = await generateNumbersTex(root);
  await mkdir(path.dirname(path.join(root, NUMBERS_TEX)), { recursive: true });
  await writeFile(path.join(root, NUMBERS_TEX), numbers.text);
  const tables = path.join(root, opts.tablesDir ?? 'paper/generated/tables');
  await mkdir(tables, { recursive: true });
  const rows = await readCompare(path.join(root, opts.compareFile ?? 'reports/compare.json'));
  await writeFile(path.join(tables, 'compare.tex'), compareTableTex(rows, 'Test metrics of every model the pipeline trained (from \\texttt{reports/compare.json}).'));
  await writeFile(path.join(tables, 'provenance.tex'), provenanceTableTex(rows));
  return { missing: numbers.missing };
}
