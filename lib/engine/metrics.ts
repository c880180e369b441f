/**
 * Metrics and params as flat tables: read the stages' metric files (JSON or YAML), flatten
 * nested objects to dotted keys, and compare two snapshots (now vs a git revision).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Pipeline } from './types.ts';

/** A leaf value of a metrics or params table. */
export type Scalar = number | string | boolean | null;

/** Flattens nested objects/arrays to `a.b.0.c` keys; leaves keep their scalar value. */
export function flatten(value: unknown, prefix = '', out: Record<string, Scalar> = {}): Record<string, Scalar> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    if (entries.length === 0 && prefix) out[prefix] = Array.isArray(value) ? '[]' : '{}';
  } else if (prefix) {
    out[prefix] = typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null ? value : String(value);
  }
  return out;
}

/** Parses a metrics file's text by its extension (JSON, else YAML). Throws on malformed text. */
export function parseMetricsText(path: string, text: string): Record<string, Scalar> {
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  return flatten(data);
}

/** The metrics of one file of one stage. */
export interface MetricsFile {
  stage: string;
  path: string;
  values: Record<string, Scalar>;
  /** Why the file could not be read (missing, malformed). */
  error?: string;
}

/** Reads every stage's metric files from the working tree. */
export async function collectMetrics(p: Pipeline): Promise<MetricsFile[]> {
  const files: MetricsFile[] = [];
  for (const name of p.order) {
    const stage = p.stages.get(name);
    for (const path of stage?.metrics ?? []) {
      try {
        const text = await readFile(join(p.root, path), 'utf8');
        files.push({ stage: name, path, values: parseMetricsText(path, text) });
      } catch (e) {
        const code = (e as { code?: string }).code;
        files.push({ stage: name, path, values: {}, error: code === 'ENOENT' ? 'not produced yet' : `unreadable: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  }
  return files;
}

/** One changed, added or removed key. */
export interface DiffRow {
  /** The file (metrics) or '' (params). */
  path: string;
  key: string;
  before?: Scalar;
  after?: Scalar;
  /** `after - before` when both are numbers. */
  delta?: number;
}

/** Compares two flat tables; unchanged keys are left out unless `keepUnchanged`. */
export function diffTables(path: string, before: Record<string, Scalar>, after: Record<string, Scalar>, keepUnchanged = false): DiffRow[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const rows: DiffRow[] = [];
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (b === a && !keepUnchanged) continue;
    const row: DiffRow = { path, key };
    if (key in before) row.before = b ?? null;
    if (key in after) row.after = a ?? null;
    if (typeof a === 'number' && typeof b === 'number') row.delta = a - b;
    rows.push(row);
  }
  return rows;
}

/** A scalar for a table cell, numbers to `precision` significant digits. */
export function cell(v: Scalar | undefined, precision = 6): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(precision)));
  return String(v);
}

/**
 * The headline keys of a metrics file, for `metrics show`: top-level numbers named like a
 * result (`test_accuracy`, `val_loss`, `macro_f1`, `perplexity`…), else every top-level number.
 * Nested keys (per-class rows, confusion cells, hyperparameters) are detail: `--all` shows them.
 */
export function headlineKeys(values: Record<string, Scalar>): string[] {
  const top = Object.keys(values).filter((k) => !k.includes('.') && typeof values[k] === 'number');
  const named = top.filter((k) => /^(test|val|eval)_|accuracy|loss|f1|bleu|perplexity|exact_match|(^|_)(per|cer|wer|auc)$/.test(k));
  return named.length > 0 ? named : top;
}
