/**
 * Small, forgiving readers of the files the experiment stages write under `reports/`. The
 * experiments' formats are owned elsewhere and still move, so every reader checks only the
 * fields its figure draws and names the file and field when one is missing: a format change
 * then fails with a sentence, not with `undefined` deep inside a chart.
 */
import { readFile } from 'node:fs/promises';

/** A JSON value that has not been checked yet. */
export type Json = unknown;

/** A problem with a data file: which file, which field, what was expected. */
export class DataError extends Error {
  constructor(readonly file: string, readonly field: string, expected: string) {
    super(`${file}: field "${field}" should be ${expected}.`);
    this.name = 'DataError';
  }
}

/** Parses the JSON file at `file`; a missing or unparsable file throws a `DataError`. */
export async function readJson(file: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DataError(file, '(file)', 'a readable file; run the stage that writes it');
  }
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new DataError(file, '(file)', 'valid JSON');
  }
}

/** Like `readJson`, but `undefined` when the file does not exist (optional inputs). */
export async function readJsonIfExists(file: string): Promise<Json | undefined> {
  try {
    await readFile(file);
  } catch {
    return undefined;
  }
  return readJson(file);
}

/** Field accessors bound to one file, so that errors name it. */
export class Fields {
  constructor(readonly file: string) {}

  /** `value` as an object, else throws naming `field`. */
  obj(value: Json, field: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DataError(this.file, field, 'an object');
    return value as Record<string, Json>;
  }

  /** `value` as an array, else throws naming `field`. */
  arr(value: Json, field: string): Json[] {
    if (!Array.isArray(value)) throw new DataError(this.file, field, 'an array');
    return value;
  }

  /** `value` as a finite number, else throws naming `field`. */
  num(value: Json, field: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DataError(this.file, field, 'a finite number');
    return value;
  }

  /** `value` as a string, else throws naming `field`. */
  str(value: Json, field: string): string {
    if (typeof value !== 'string') throw new DataError(this.file, field, 'a string');
    return value;
  }

  /** An array of finite numbers. */
  nums(value: Json, field: string): number[] {
    return this.arr(value, field).map((v, i) => this.num(v, `${field}[${i}]`));
  }

  /** A rectangular matrix of finite numbers (rows × cols). */
  matrix(value: Json, field: string): number[][] {
    const rows = this.arr(value, field).map((r, i) => this.nums(r, `${field}[${i}]`));
    const cols = rows[0]?.length ?? 0;
    if (rows.some((r) => r.length !== cols)) throw new DataError(this.file, field, 'a rectangular matrix');
    return rows;
  }

  /** A number when present and finite, else `undefined`. */
  optNum(value: Json): number | undefined {
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  /** A string when present, else `undefined`. */
  optStr(value: Json): string | undefined {
    return typeof value === 'string' ? value : undefined;
  }
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
