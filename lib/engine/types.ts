/**
 * The engine's shared vocabulary. Every module of `lib/engine` speaks these types; keep this
 * file free of logic so that it can be imported from anywhere without cost.
 *
 * Conventions:
 * - Paths inside a `Pipeline` are POSIX, relative to `Pipeline.root`, normalised, without a
 *   trailing slash (`data/ex1`, `reports/ex1/metrics.json`).
 * - User mistakes are values (`Result` with `Diagnostic[]`), bugs are exceptions.
 */

/** A hex SHA-256 digest; branded so that a path never passes for a digest. */
export type Sha256 = string & { readonly __brand: 'Sha256' };

/** A 1-based position in a source file (line and column as editors show them). */
export interface SourceLocation {
  /** Path as shown to the user (relative to the cwd where possible). */
  file: string;
  line: number;
  col: number;
  /** End of the offending span, for underlining; same line as `line` when absent. */
  endLine?: number;
  endCol?: number;
}

/** One user-facing problem. Printed as `file:line:col message` plus the underlined source line. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** One plain sentence, starting with the subject: `Stage "train": unknown key "epoch".` */
  message: string;
  location?: SourceLocation;
  /** Optional fix: `Did you mean "epochs"?` */
  hint?: string;
  /** Further located notes, e.g. every edge of a cycle. */
  related?: { message: string; location?: SourceLocation }[];
}

export type Result<T, E = Diagnostic[]> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Exhaustive switches end here. */
export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}

/** A fully resolved stage: matrix expanded, `${…}` interpolated, profile and `--set` applied. */
export interface Stage {
  /** Unique name: `train-ex1`, or `ablate@no-memory` for a matrix member. */
  name: string;
  /** For a matrix member, the stage key it came from (`ablate`); else equal to `name`. */
  group: string;
  /** For a matrix member, its axis values (`{variant: 'no-memory'}`). */
  matrixItem?: Record<string, unknown>;
  /** Shell command after interpolation. */
  cmd: string;
  /** Working directory of the command, relative to the root ('' = root). */
  wdir: string;
  /** Declared file/directory deps (relative to root). */
  deps: string[];
  /** Declared outputs (relative to root); includes the paths listed in `metrics` and `plots`. */
  outs: string[];
  /** Subset of outs that are metric files (JSON/YAML). */
  metrics: string[];
  /** Subset of outs that are plot data. */
  plots: string[];
  /** Declared params: dotted key → resolved value (a whole group key maps to its object). */
  params: Record<string, unknown>;
  /** Opt-in runtime inputs: environment variable names whose values are fingerprinted. */
  env: string[];
  /** Opt-in runtime inputs: commands whose stdout is fingerprinted (`node --version`). */
  runtime: string[];
  /** Run alone: no other stage runs while this one does. */
  exclusive: boolean;
  /** What a Slurm job of this stage asks for (the local executor ignores it; not fingerprinted). */
  resources?: Resources;
  desc?: string;
  /** Where the stage is defined (its key in pipeline.yaml), for diagnostics. */
  location?: SourceLocation;
  /** Locations of individual dep/out entries, same index as `deps`/`outs`. */
  depLocations?: (SourceLocation | undefined)[];
  outLocations?: (SourceLocation | undefined)[];
}

export interface Pipeline {
  /** Absolute path of the directory holding pipeline.yaml. */
  root: string;
  /** Absolute path of pipeline.yaml. */
  file: string;
  /** All params after profile and `--set` overrides. */
  params: Record<string, unknown>;
  /** Stages by name, in definition order (matrix members in expansion order). */
  stages: Map<string, Stage>;
  /** Upstream stage names of each stage (edges from outs to deps). */
  upstream: Map<string, string[]>;
  /** Downstream stage names of each stage. */
  downstream: Map<string, string[]>;
  /** A topological order of all stage names (stable: definition order breaks ties). */
  order: string[];
  /** `cache.dir` of pipeline.yaml as written (a shared cache; `PIPELINE_CACHE_DIR` overrides it). */
  cache?: string;
  /** `executor:` of pipeline.yaml, where stages run unless `run --executor` says otherwise. */
  executor?: 'local' | 'slurm';
}

/** A stage's `resources:`, passed to `sbatch` by the Slurm executor. */
export interface Resources {
  cpus?: number;
  /** Slurm's --mem syntax: `512M`, `4G`. */
  mem?: string;
  /** Slurm's --time syntax: `30`, `2:00:00`, `1-00:00:00`. */
  time?: string;
  gpus?: number;
  partition?: string;
}

/** Options that shape how pipeline.yaml is resolved. */
export interface LoadOptions {
  /** Directory holding pipeline.yaml (default: cwd). */
  root: string;
  /** File name relative to root (default `pipeline.yaml`). */
  file?: string;
  /** Named profile from `profiles:`. */
  profile?: string;
  /** `--set key=value` overrides, already split; values are parsed as YAML scalars. */
  set?: { key: string; value: string }[];
  /**
   * Whether a root-relative path exists, for deps no stage produces [one directory listing per
   * dep directory]. A run passes its hasher's, so each of those deps is stat'ed once per run.
   */
  exists?: (rel: string) => boolean;
}

/** Everything that decides whether a stage must rerun. */
export interface Fingerprint {
  /** SHA-256 over a canonical serialisation of all fields below. */
  digest: Sha256;
  cmd: string;
  wdir: string;
  params: Record<string, unknown>;
  /** Declared deps: path → content digest (a directory: digest over its manifest). */
  deps: Record<string, Sha256>;
  /** Code deps found from the import graph of `.ts`/`.js` files named in `cmd`. */
  code: Record<string, Sha256>;
  /** Opt-in runtime inputs: `env:NAME` / `cmd:node --version` → value. */
  runtime: Record<string, string>;
  /** Declared out paths (renaming an out changes the stage). */
  outs: string[];
}

/** A recorded output: a file or a directory (directory digest = digest of its manifest). */
export interface OutRecord {
  path: string;
  kind: 'file' | 'dir';
  digest: Sha256;
  size: number;
  /** For directories: number of files. */
  files?: number;
  /** For files: set when the file is executable, so a restore puts the bit back. */
  executable?: true;
  /**
   * Permission bits (octal text such as "600") of a file out where they differ from 644, or
   * 755 when executable, so that a restore puts them back: a private out stays private. Kept
   * in run-cache records, never written to pipeline.lock (they depend on the local umask).
   */
  mode?: string;
  /** The same for the files of a directory out, by path inside it. */
  modes?: Record<string, string>;
}

/** What pipeline.lock keeps per stage (and the run-cache per fingerprint). */
export interface LockEntry {
  cmd: string;
  fingerprint: Sha256;
  params: Record<string, unknown>;
  deps: Record<string, Sha256>;
  code: Record<string, Sha256>;
  runtime: Record<string, string>;
  outs: OutRecord[];
  /** Working directory of the command ('' or absent = root); kept so `explain` can name a wdir change. */
  wdir?: string;
}

export interface LockFile {
  schema: 1;
  stages: Record<string, LockEntry>;
}

/** Status of a stage before running, as `pipeline status` reports it. */
export type StageState =
  | { state: 'fresh' }
  | { state: 'changed'; reasons: ChangeReason[] }
  | { state: 'restorable'; reasons: ChangeReason[] }
  | { state: 'never-run' };

/** One reason why a stage is not fresh (also what `explain` prints). */
export type ChangeReason =
  | { kind: 'cmd'; before: string; after: string }
  | { kind: 'param'; key: string; before: unknown; after: unknown }
  | { kind: 'dep'; path: string; change: 'modified' | 'added' | 'removed' }
  | { kind: 'code'; path: string; change: 'modified' | 'added' | 'removed' }
  | { kind: 'runtime'; key: string; before?: string; after?: string }
  | { kind: 'out'; path: string; change: 'modified' | 'missing' | 'declared' }
  | { kind: 'wdir'; before: string; after: string }
  | { kind: 'upstream'; stage: string };

/** Outcome of one stage in a `run`. */
export type RunStatus = 'ran' | 'cached' | 'restored' | 'skipped' | 'failed';

export interface StageOutcome {
  name: string;
  status: RunStatus;
  durationMs: number;
  /** Peak resident memory of the stage's process tree, in bytes, when it ran. */
  peakRssBytes?: number;
  exitCode?: number | null;
  signal?: string | null;
  fingerprint?: Sha256;
  /** For `failed`: one sentence; for `skipped`: which upstream failed. */
  error?: string;
  /** Path of the stage's log, relative to root. */
  log?: string;
  /**
   * Wall times the stage reported (`reportTiming`), seconds by label. They vary from run to run,
   * so they live here (the run record, `--json`, runs.jsonl), never in outs that others read.
   */
  timings?: Record<string, number>;
  /** The Slurm job that ran the stage (`--executor slurm`). */
  slurmJobId?: string;
}

/** Progress a stage script reports through `lib/engine/stage.ts` (`epoch 3/20 loss 0.41`). */
export interface ProgressEvent {
  /** Free text shown in the live view. */
  message?: string;
  step?: number;
  total?: number;
  /** Named numbers (loss, accuracy…). */
  values?: Record<string, number>;
  /** Milliseconds since the stage's process started. */
  t?: number;
  /** Wall times in seconds by label (`train`, `eval`), collected into the stage's outcome. */
  timings?: Record<string, number>;
  /** Sent by the Slurm executor's submitter once `sbatch` accepted the job. */
  slurmJobId?: string;
}

/** Engine events, consumed by reporters (listr2 live view, line-per-event, JSON). */
export type EngineEvent =
  | { type: 'plan'; stages: { name: string; action: 'run' | 'restore' | 'fresh' | 'blocked' }[] }
  | { type: 'stage-start'; name: string }
  | { type: 'stage-progress'; name: string; progress: ProgressEvent }
  | { type: 'stage-end'; outcome: StageOutcome; logTail?: string }
  | { type: 'warning'; message: string; stage?: string }
  | { type: 'done'; outcomes: StageOutcome[]; durationMs: number };

export interface Reporter {
  event(e: EngineEvent): void;
  /** Flush and stop any live rendering. */
  close(): Promise<void>;
}
