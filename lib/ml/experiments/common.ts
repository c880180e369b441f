/**
 * What every experiment shares: the context a stage hands to `run()`, JSON output that is
 * byte-stable (so that unchanged results keep their cache digests), row gathering. Batching,
 * shuffling and the training loop are `lib/ml/train`'s.
 * No engine import here: progress goes through the `onEpoch` callback the stage passes in.
 */
import type { OnEpoch } from '../train/types.ts';

export type { OnEpoch } from '../train/types.ts';

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
