/**
 * The JSON layer under every artifact module: one writer whose bytes are stable (so unchanged
 * results keep their cache digests) and field accessors that name the file and the field when
 * a file is missing, unparsable or wrong-shaped. A format change then fails with a sentence,
 * not with `undefined` deep inside a figure.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A JSON value that has not been checked yet. */
export type Json = unknown;

/** A problem with a data file: which file, which field, what was expected. */
export class DataError extends Error {
  constructor(readonly file: string, readonly field: string, expected: string) {
    super(`${file}: field "${field}" should be ${expected}.`);
    this.name = 'DataError';
  }
}

/** Writes `value` as indented JSON with a trailing newline, creating parent directories. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, roundReplacer, 1)}\n`);
}

/**
 * Rounds floats to 6 significant digits in JSON: enough for every figure and table, and it keeps
 * files small (attention maps have thousands of weights).
 */
function roundReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
    return Number(value.toPrecision(6));
  }
  return value;
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

  /** An array of strings. */
  strs(value: Json, field: string): string[] {
    return this.arr(value, field).map((v, i) => this.str(v, `${field}[${i}]`));
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

  /** The root object of a parsed file and the required `model` name every artifact carries. */
  root(value: Json): { doc: Record<string, Json>; model: string } {
    const doc = this.obj(value, '(root)');
    return { doc, model: this.str(doc.model, 'model') };
  }
}
