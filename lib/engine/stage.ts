/**
 * The helper that stage scripts (`stages/*.ts`) import to talk to the runner. It must stay
 * tiny: it is loaded by every stage process, so it imports nothing but `node:fs` and never
 * the engine itself.
 *
 * ```ts
 * import { params, reportEpoch } from '../lib/engine/stage.ts';
 * const { ex1 } = params<{ ex1: { epochs: number } }>();
 * reportEpoch(3, ex1.epochs, { loss: 0.41 }); // shows "epoch 3/20 loss 0.41 · ETA 12s"
 * ```
 */
import { appendFileSync } from 'node:fs';
import type { ProgressEvent } from './types.ts';
import { lockFileOf } from './store/lock-name.ts';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined) {
    const script = process.argv[1] ?? 'this script';
    throw new Error(
      `${script} is a pipeline stage and reads ${name}, which only the runner sets. ` +
        'Run it through `pnpm pipeline run <stage>`.',
    );
  }
  return value;
}

/** The stage's declared params, nested by their dotted keys (`ex2.units` → `{ex2: {units}}`). */
export function params<T = Record<string, unknown>>(): T {
  return JSON.parse(required('PIPELINE_PARAMS')) as T;
}

/** The matrix item of this stage member (`{variant: 'no-memory'}`), or `{}` for a plain stage. */
export function item<T = Record<string, unknown>>(): T {
  return JSON.parse(required('PIPELINE_ITEM')) as T;
}

/** The stage's name (`train-ex1`, `ablate@no-memory`). */
export function stageName(): string {
  return required('PIPELINE_STAGE');
}

/** Absolute path of the pipeline root (the directory holding pipeline.yaml). */
export function root(): string {
  return required('PIPELINE_ROOT');
}

/** The profile this run applies (`--profile`), or undefined for the default params. */
export function profile(): string | undefined {
  return process.env.PIPELINE_PROFILE || undefined;
}

/** The lock file this run records its stages in (`pipeline.lock`, or `pipeline.<profile>.lock`). */
export function lockFile(): string {
  return lockFileOf(profile());
}

/** Milliseconds since this process started (performance's time origin). */
function now(): number {
  return Math.round(performance.now());
}

/**
 * Reports progress to the runner's live view. A string is shorthand for `{message}`. Outside
 * the pipeline this does nothing, so a stage script can still be run by hand.
 */
export function progress(e: ProgressEvent | string): void {
  const file = process.env.PIPELINE_PROGRESS;
  if (file === undefined || file === '') return;
  const event: ProgressEvent = typeof e === 'string' ? { message: e } : { ...e };
  event.t ??= now();
  // One short line per append: O_APPEND writes this small are not interleaved, so the
  // runner only ever sees whole lines.
  appendFileSync(file, JSON.stringify(event) + '\n');
}

let firstEpoch: { epoch: number; t: number } | undefined;

/**
 * Reports the end of an epoch as `epoch 3/20 loss 0.41 acc 0.873 · ETA 1m05s`. The ETA uses
 * the pace since the first reported epoch (so that data loading does not skew it).
 */
export function reportEpoch(epoch: number, epochs: number, values: Record<string, number>): void {
  const t = now();
  const parts = [`epoch ${epoch}/${epochs}`];
  for (const [k, v] of Object.entries(values)) parts.push(`${k} ${formatNumber(v)}`);
  let perEpoch: number | undefined;
  if (firstEpoch !== undefined && epoch > firstEpoch.epoch) {
    perEpoch = (t - firstEpoch.t) / (epoch - firstEpoch.epoch);
  } else if (epoch > 0) {
    perEpoch = t / epoch;
  }
  if (firstEpoch === undefined) firstEpoch = { epoch, t };
  let message = parts.join(' ');
  if (perEpoch !== undefined && epoch < epochs) {
    message += ` · ETA ${formatDuration(perEpoch * (epochs - epoch))}`;
  }
  progress({ message, step: epoch, total: epochs, values, t });
}

/**
 * Reports a wall time (seconds) under `label`: the runner records it with the stage's outcome
 * (run log, `--json`). Timings vary between runs, so they must never go into the stage's outs,
 * whose digests the lock and every downstream fingerprint depend on.
 */
export function reportTiming(label: string, seconds: number): void {
  // Also in the stage's log (its stderr), for a reader of .pipeline/logs.
  process.stderr.write(`${label}: ${seconds}s\n`);
  progress({ message: `${label} ${seconds}s`, timings: { [label]: seconds } });
}

/** Three significant digits for small values (0.412), whole numbers from 100 up (1235). */
function formatNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
