/**
 * Small, forgiving readers of the files the experiment stages write under `reports/`. The
 * experiments' formats are owned elsewhere and still move, so every reader checks only the
 * fields its figure draws and names the file and field when one is missing: a format change
 * then fails with a sentence, not with `undefined` deep inside a chart.
 */
import { readFile } from 'node:fs/promises';
import { type Json, readJson } from '../ml/artifacts/json.ts';

// The JSON layer is shared with the writers (lib/ml/artifacts); re-exported for the readers here.
export { DataError, Fields, type Json, readJson } from '../ml/artifacts/json.ts';

/** Like `readJson`, but `undefined` when the file does not exist (optional inputs). */
export async function readJsonIfExists(file: string): Promise<Json | undefined> {
  try {
    await readFile(file);
  } catch {
    return undefined;
  }
  return readJson(file);
}

/**
 * The value at a dotted path (`per_class.0.recall`, `backend.name`, `scaled.-1.entropy` for the
 * last element) of a parsed JSON value, or `undefined` when any step is missing.
 */
export function atPath(value: Json, dotted: string): Json {
  let cur: Json = value;
  for (const key of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    if (Array.isArray(cur)) {
      const i = Number(key);
      cur = Number.isInteger(i) ? cur.at(i) : undefined;
    } else cur = (cur as Record<string, Json>)[key];
  }
  return cur;
}
