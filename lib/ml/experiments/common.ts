/**
 * What every experiment shares: the context a stage hands to `run()`, JSON output that is
 * byte-stable (so that unchanged results keep their cache digests), minibatching and seeding.
 * No engine import here: progress goes through the `onEpoch` callback the stage passes in.
 */
import type { Rng } from '../random.ts';

/** Per-epoch progress: the stage forwards it to the runner's live view. */
export type OnEpoch = (epoch: number, epochs: number, values: Record<string, number>) => void;

/** Where an experiment writes and whom it tells about progress. */
export interface RunContext {
  /** Directory for metrics and figure data (created if missing), e.g. `reports/ex1`. */
  outDir: string;
  /** Directory for the trained model (created if missing); no model is saved when absent. */
  modelDir?: string;
  onEpoch?: OnEpoch;
  /**
   * Wall times (seconds by label). They differ on every run, so they go to the runner's record
   * (the stage forwards them), never into metrics that other stages read and the lock hashes.
   */
  onTiming?: (label: string, seconds: number) => void;
}

// The learning-curve row and the byte-stable JSON writer live with the artifact formats.
export { type EpochRecord } from '../artifacts/history.ts';
export { writeJson } from '../artifacts/json.ts';

/** Splits `indices` (already in the desired order) into consecutive batches of `size`. */
export function batches(indices: ArrayLike<number>, size: number): number[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive integer, got ${size}`);
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += size) {
    out.push(Array.from({ length: Math.min(size, indices.length - i) }, (_, k) => indices[i + k]!));
  }
  return out;
}

/** A shuffled copy of `indices`. */
export function shuffled(indices: ArrayLike<number>, rng: Rng): number[] {
  return rng.shuffle(Array.from(indices));
}

/** Rows `rows` of a row-major array whose rows have `width` values, as one packed array. */
export function gatherRows(data: Float32Array, width: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(data.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** Seconds since `start` (a `performance.now()` value), to 3 decimals. */
export function secondsSince(start: number): number {
  return Math.round(performance.now() - start) / 1000;
}

/** A metrics file's common header: which backend and when-independent facts (no timestamps). */
export interface BackendRecord {
  name: string;
  version: string;
  package: string;
}
