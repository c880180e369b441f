/**
 * The orchestrator behind `pipeline run`: load → select → lock → recover → schedule, and per
 * stage fingerprint → cached | restored | ran | failed. Every store is written only after a
 * stage succeeded, so an interrupted or failed run leaves outs, lock and cache as they were.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Diagnostic, EngineEvent, LockEntry, LockFile, Pipeline, Reporter, Sha256, Stage, StageOutcome } from './types.ts';
import { loadPipeline } from './config/load.ts';
import { selectTargets } from './graph.ts';
import { Hasher } from './store/hasher.ts';
import { computeFingerprint } from './store/fingerprint.ts';
import { dropInvalidEntries, readLock, writeLock, lockEntryFrom } from './store/lock.ts';
import { ObjectStore, storeOuts, restoreOuts } from './store/cache.ts';
import { RunCache } from './store/run-cache.ts';
import { cacheDir } from './store/cache-dir.ts';
import { stageState } from './store/state.ts';
import { acquireRunLock } from './exec/run-lock.ts';
import { recoverTransactions } from './exec/transaction.ts';
import { pipelineDir } from './exec/paths.ts';
import { sweepLeftovers } from './exec/leftovers.ts';
import { runGraph } from './exec/scheduler.ts';
import { computeStatus, errorText } from './status.ts';
import { asUserError, userErrorText } from './errors.ts';
import { planFromStatus, type PlanEntry } from './plan.ts';
import type { ExecutorName, SlurmRun } from './exec/slurm.ts';

/** Options of `runPipeline`; defaults in brackets. */
export interface RunOptions {
  /** Project root (absolute). */
  root: string;
  /** Stage names, matrix members or globs [all stages]. */
  targets?: string[];
  /** Stages at once [os.availableParallelism()]. */
  jobs?: number;
  /** Rerun the selected stages even when fresh [false]. */
  force?: boolean;
  /** Compute and report the plan only: no execution, no run lock [false]. */
  dryRun?: boolean;
  /** A profile from `profiles:`; its state goes to its own lock, `pipeline.<profile>.lock`. */
  profile?: string;
  set?: { key: string; value: string }[];
  /** Stop starting stages after the first failure [false: keep going]. */
  failFast?: boolean;
  /** Also select the stages downstream of the targets [false]. */
  downstream?: boolean;
  /** Receives engine events [none]. */
  reporter?: Reporter;
  /** Aborting kills the running stages, rolls them back and stops scheduling. */
  signal?: AbortSignal;
  /** Where stages run [pipeline.yaml's `executor:`, else local]. */
  executor?: ExecutorName;
}

/** What `runPipeline` returns. `exitCode`: 0 ok, 1 a stage failed or the run was interrupted/refused, 2 invalid config. */
export interface RunResult {
  outcomes: StageOutcome[];
  exitCode: number;
  durationMs: number;
  /** Config, target or lock-file problems (exit 2), or a refused run lock (exit 1). */
  diagnostics?: Diagnostic[];
  /** For `dryRun`, what would happen. */
  plan?: PlanEntry[];
  interrupted?: boolean;
  /** Warnings also sent to the reporter (stale lock taken over, recovered transactions, corrupt objects). */
  warnings: string[];
}

const nullReporter: Reporter = { event: () => {}, close: async () => {} };

/**
 * A file-name-safe version of a stage name for its log file. File names hold 255 bytes, so a
 * longer name keeps its start and a digest of the whole (two long names never share a log).
 */
export function logPathOf(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9@._-]/g, '_');
  const file = safe.length <= 251 ? safe : `${safe.slice(0, 200)}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
  return join('.pipeline', 'logs', `${file}.log`);
}

/** Loads the pipeline and resolves targets; shared by run, status and explain. */
export async function loadAndSelect(opts: {
  root: string;
  targets?: string[];
  profile?: string;
  set?: { key: string; value: string }[];
  downstream?: boolean;
  withUpstream?: boolean;
  /** See `LoadOptions.exists`. */
  exists?: (rel: string) => boolean;
}): Promise<{ ok: true; pipeline: Pipeline; selected: string[] } | { ok: false; diagnostics: Diagnostic[] }> {
  const loaded = await loadPipeline({
    root: opts.root,
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.set ? { set: opts.set } : {}),
    ...(opts.exists ? { exists: opts.exists } : {}),
  });
  if (!loaded.ok) return { ok: false, diagnostics: loaded.error };
  const p = loaded.value;
  const targets = opts.targets ?? [];
  if (targets.length === 0) return { ok: true, pipeline: p, selected: [...p.order] };
  const sel = selectTargets(p, targets, { downstream: opts.downstream ?? false, withUpstream: opts.withUpstream ?? true });
  if (!sel.ok) return { ok: false, diagnostics: sel.error };
  const set = new Set(sel.value);
  return { ok: true, pipeline: p, selected: p.order.filter((n) => set.has(n)) };
}

/** Runs (or, with `dryRun`, plans) the selected stages. Never throws for user errors. */
export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const reporter = opts.reporter ?? nullReporter;
  const warnings: string[] = [];
  const warn = (message: string, stage?: string) => {
    warnings.push(message);
    reporter.event({ type: 'warning', message, ...(stage ? { stage } : {}) });
  };
  const elapsed = () => performance.now() - started;
  // PIPELINE_TIMING=1 prints where a run's wall time went (for the benchmark and for profiling).
  // Wall time on a loaded machine is mostly waiting, so each phase also gets its CPU time.
  const timing = process.env['PIPELINE_TIMING'] ? new Map<string, [wallMs: number, cpuMs: number]>() : undefined;
  let lastMark = started;
  let lastCpu = timing ? process.cpuUsage() : undefined;
  const mark = (phase: string) => {
    if (!timing) return;
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    timing.set(phase, [now - lastMark, (cpu.user + cpu.system) / 1000]);
    lastMark = now;
    lastCpu = process.cpuUsage();
  };
  const fail = (diagnostics: Diagnostic[], exitCode = 2): RunResult => ({ outcomes: [], exitCode, durationMs: elapsed(), diagnostics, warnings });

  const root = resolve(opts.root);
  let release: (() => unknown) | undefined;
  /** Takes the run lock and rolls back what a dead runner left open; the refusal, or how many stages were repaired. */
  const lockAndRecover = async (): Promise<Diagnostic | number> => {
    const held = await acquireRunLock(root);
    if (!held.ok) return held.error;
    release = () => held.value.release();
    const stale = held.value.tookOver;
    if (stale) warn(`Took over a stale run lock left by process ${stale.pid} (started ${stale.startedAt}), which is no longer running.`);
    const recovered = await recoverTransactions(root);
    if (recovered.length > 0) warn(`Recovered from an interrupted run: restored the previous outputs of ${recovered.map((s) => `"${s}"`).join(', ')}.`);
    return recovered.length;
  };
  try {
    // Lock and recovery come before the config wherever an earlier run left state: an
    // interrupted stage whose out is the config (or a file it names) must be rolled back for
    // the config to load at all. Without `.pipeline` there is nothing to recover, and a run in
    // the wrong directory should not leave one behind.
    const early = !opts.dryRun && existsSync(pipelineDir(root));
    if (early) {
      const locked = await lockAndRecover();
      if (typeof locked !== 'number') return fail([locked], 1);
    }
    mark('run lock + recovery');
    // The hasher comes before the config so that the config's check of unproduced deps takes
    // the stats that fingerprinting then uses: each dep file is stat'ed once per run.
    const hasher = new Hasher({ root });
    await hasher.load();
    mark('load stat cache');
    const sel = await loadAndSelect({ ...opts, withUpstream: true, exists: (rel) => hasher.exists(rel) });
    if (!sel.ok) return fail(sel.diagnostics);
    const { pipeline: p, selected } = sel;
    mark('load config');
    if (!opts.dryRun && !early) {
      const locked = await lockAndRecover();
      if (typeof locked !== 'number') return fail([locked], 1);
      // Repaired outs may be paths the hasher has already looked at.
      if (locked > 0) hasher.invalidate('');
    }
    if (!opts.dryRun) await sweepLeftovers(root, [...p.stages.values()].flatMap((s) => s.outs));
    const lockRead = await readLock(root, opts.profile);
    if (!lockRead.ok) return fail(lockRead.error);
    mark('read lock');
    const lock: LockFile = lockRead.value;
    // An entry that cannot be trusted is dropped: its stage runs again and rewrites it.
    for (const message of dropInvalidEntries(lock, p, selected)) warn(message);
    const runCache = new RunCache(root, (message) => warn(message), cacheDir(root, p.cache));

    // The real plan, for reporters and `--dry-run`; a stage planned fresh is then settled from
    // it without a second look. Under --force everything runs, so there is nothing to compute.
    const force = opts.force ?? false;
    const runtimeMemo = new Map<string, string>();
    const status = force ? undefined : await computeStatus(p, selected, { root, hasher, lock, runCache, runtimeMemo });
    const plan = status ? planFromStatus(status, p.upstream, false) : selected.map((name): PlanEntry => ({ name, action: 'run', reasons: [] }));
    mark('plan');
    reporter.event({ type: 'plan', stages: plan.map((e) => ({ name: e.name, action: e.action })) });
    if (opts.dryRun) return { outcomes: [], exitCode: 0, durationMs: elapsed(), plan, warnings };

    const fresh = new Map<string, Sha256>();
    status?.forEach((e, i) => {
      if (plan[i]?.action === 'fresh' && e.fingerprint) fresh.set(e.name, e.fingerprint.digest);
    });
    const executor = opts.executor ?? p.executor ?? 'local';
    let slurm: SlurmRun | undefined;
    if (executor === 'slurm' && plan.some((e) => e.action !== 'fresh')) {
      const { prepareSlurmRun } = await import('./exec/slurm.ts');
      slurm = await prepareSlurmRun(root);
    }
    // A cluster queues what it cannot start yet: keep many jobs in flight, not one per local core.
    const jobs = opts.jobs ?? (slurm ? 64 : undefined);
    const result = await execute(p, selected, { ...opts, ...(jobs !== undefined ? { jobs } : {}), root, reporter, hasher, lock, runCache, warn, fresh, runtimeMemo, ...(slurm ? { slurm } : {}) });
    mark('stages');
    if (slurm) {
      const { finishSlurmRun } = await import('./exec/slurm.ts');
      const left = await finishSlurmRun(slurm, opts.signal?.aborted ?? false);
      if (left.length > 0) warn(`Slurm jobs ${left.join(', ')} were cancelled but are still in the queue; check squeue before running again.`);
    }
    await hasher.save();
    mark('save stat cache');
    if (timing) {
      const total = process.cpuUsage();
      const phases = [...timing].map(([k, [w, c]]) => `${k} ${Math.round(w)}ms (CPU ${Math.round(c)}ms)`);
      process.stderr.write(`timing: ${phases.join(', ')}; process CPU so far ${Math.round((total.user + total.system) / 1000)}ms\n`);
    }
    const interrupted = opts.signal?.aborted ?? false;
    const failed = result.some((o) => o.status === 'failed');
    const durationMs = elapsed();
    reporter.event({ type: 'done', outcomes: result, durationMs });
    return { outcomes: result, exitCode: failed || interrupted ? 1 : 0, durationMs, warnings, ...(interrupted ? { interrupted } : {}) };
  } finally {
    await release?.();
  }
}

interface ExecContext extends RunOptions {
  /**
   * Stages the plan found fresh, with their fingerprints: nothing upstream of them runs, so
   * they are cached without being fingerprinted again.
   */
  fresh: Map<string, Sha256>;
  /** `node --version` and the like are asked once per run, not once per stage. */
  runtimeMemo: Map<string, string>;
  reporter: Reporter;
  hasher: Hasher;
  lock: LockFile;
  runCache: RunCache;
  warn: (message: string, stage?: string) => void;
  /** Set when stages run as Slurm jobs. */
  slurm?: SlurmRun;
}

async function execute(p: Pipeline, selected: string[], ctx: ExecContext): Promise<StageOutcome[]> {
  const { root, hasher, lock, runCache, reporter, runtimeMemo } = ctx;
  const store = new ObjectStore(root, runCache.cache);
  const selectedSet = new Set(selected);
  const outcomes = new Map<string, StageOutcome>();
  const emit = (e: EngineEvent) => reporter.event(e);
  // Lock writes are serialised: parallel stages finishing together must not interleave writes.
  let lockWrites: Promise<unknown> = Promise.resolve();
  const persistLock = (name: string, entry: LockEntry) => {
    lock.stages[name] = entry;
    lockWrites = lockWrites.then(() => writeLock(root, lock, ctx.profile));
    return lockWrites;
  };

  const runOne = async (name: string): Promise<boolean> => {
    const stage = p.stages.get(name);
    if (!stage) throw new Error(`unknown stage ${name}`);
    const t0 = performance.now();
    const finish = (o: Omit<StageOutcome, 'name' | 'durationMs'>, logTail?: string): boolean => {
      const outcome: StageOutcome = { name, durationMs: Math.round(performance.now() - t0), ...o };
      outcomes.set(name, outcome);
      emit({ type: 'stage-end', outcome, ...(logTail ? { logTail } : {}) });
      return outcome.status !== 'failed';
    };
    if (ctx.signal?.aborted) return finish({ status: 'skipped', error: 'The run was interrupted.' });
    const planned = ctx.fresh.get(name);
    if (planned !== undefined) return finish({ status: 'cached', fingerprint: planned });
    const entry = lock.stages[name];
    const fp = await computeFingerprint(stage, root, hasher, runtimeMemo, entry);
    if (!fp.ok) return finish({ status: 'failed', error: `Stage "${name}": ${errorText(fp.error)}` });
    const fingerprint = fp.value.digest;
    if (!ctx.force) {
      const state = await stageState(fp.value, entry, root, hasher, runCache);
      if (state.state === 'fresh') return finish({ status: 'cached', fingerprint });
      if (state.state === 'restorable') {
        const cached = await runCache.get(fp.value.digest, fp.value.outs);
        if (cached) {
          emit({ type: 'stage-start', name });
          const restored = await restoreOuts(root, cached.outs, store);
          if (restored.ok) {
            await persistLock(name, cached);
            for (const out of stage.outs) hasher.invalidate(out);
            return finish({ status: 'restored', fingerprint });
          }
          ctx.warn(`Stage "${name}": cache object is corrupt or missing (${restored.error}); rerunning.`, name);
        }
      }
    }
    return runStage(stage, fp.value, ctx, { store, emit, persistLock, finish });
  };

  const nodes = selected.map((name) => ({
    name,
    upstream: (p.upstream.get(name) ?? []).filter((u) => selectedSet.has(u)),
    exclusive: p.stages.get(name)?.exclusive ?? false,
  }));
  const guarded = async (name: string) => {
    try {
      return await runOne(name);
    } catch (e) {
      // A full disk or a name too long for the file system is this stage's failure, said plainly;
      // anything else is a bug in a store or executor, reported with its stack rather than losing the run.
      const user = asUserError(e, { base: root });
      const message = user ? userErrorText(user) : `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
      if (!outcomes.has(name)) {
        const outcome: StageOutcome = { name, status: 'failed', durationMs: 0, error: `Stage "${name}": ${message}` };
        outcomes.set(name, outcome);
        emit({ type: 'stage-end', outcome });
      }
      return false;
    }
  };
  const states = await runGraph({
    nodes,
    jobs: Math.max(1, ctx.jobs ?? availableParallelism()),
    failFast: ctx.failFast ?? false,
    run: guarded,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  await lockWrites;

  // Stages the scheduler never started: name the upstream that failed, or the interruption.
  const result: StageOutcome[] = [];
  for (const name of selected) {
    let o = outcomes.get(name);
    if (!o) {
      const failedUp = findFailedAncestor(p, name, outcomes);
      const error = failedUp
        ? `Skipped because upstream stage "${failedUp}" failed.`
        : ctx.signal?.aborted
          ? 'Not started: the run was interrupted.'
          : states.get(name) === 'skipped' && ctx.failFast
            ? 'Not started: an earlier stage failed (--fail-fast).'
            : 'Not started.';
      o = { name, status: 'skipped', durationMs: 0, error };
      emit({ type: 'stage-end', outcome: o });
    }
    result.push(o);
  }
  return result;
}

function findFailedAncestor(p: Pipeline, name: string, outcomes: Map<string, StageOutcome>): string | undefined {
  const seen = new Set<string>();
  const stack = [...(p.upstream.get(name) ?? [])];
  while (stack.length > 0) {
    const u = stack.pop()!;
    if (seen.has(u)) continue;
    seen.add(u);
    if (outcomes.get(u)?.status === 'failed') return u;
    stack.push(...(p.upstream.get(u) ?? []));
  }
  return undefined;
}

interface StageHelpers {
  store: ObjectStore;
  emit: (e: EngineEvent) => void;
  persistLock: (name: string, entry: LockEntry) => Promise<unknown>;
  finish: (o: Omit<StageOutcome, 'name' | 'durationMs'>, logTail?: string) => boolean;
}

async function runStage(
  stage: Stage,
  fp: import('./types.ts').Fingerprint,
  ctx: ExecContext,
  h: StageHelpers,
): Promise<boolean> {
  const { root, hasher, runCache } = ctx;
  const name = stage.name;
  const log = logPathOf(name);
  h.emit({ type: 'stage-start', name });
  // Loaded on the first stage that actually runs: a no-op run never pays for execa.
  const [{ beginTransaction }, { executeStage }, slurmMod] = await Promise.all([
    import('./exec/transaction.ts'), import('./exec/execute.ts'), ctx.slurm ? import('./exec/slurm.ts') : undefined,
  ]);
  const tx = await beginTransaction(root, name, stage.outs);
  const timings: Record<string, number> = {};
  let slurmJobId: string | undefined;
  const viaSlurm = ctx.slurm && slurmMod ? slurmMod.slurmInvocation(ctx.slurm, root, stage, join(root, log)) : undefined;
  let settled = false;
  const rollback = async () => {
    if (settled) return;
    settled = true;
    await tx.rollback();
  };
  try {
    const res = await executeStage({
      root,
      stage,
      params: stage.params,
      logFile: join(root, log),
      // Stages that keep state beside their outs (the model registry) keep a profile's apart too.
      env: { PIPELINE_PROFILE: ctx.profile ?? '', ...viaSlurm?.env },
      ...(viaSlurm ? { command: viaSlurm.command } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (progress) => {
        // A stage's file is not to be trusted: only finite numbers are kept.
        const t: unknown = progress.timings;
        if (t !== null && typeof t === 'object') for (const [k, v] of Object.entries(t)) if (typeof v === 'number' && Number.isFinite(v)) timings[k] = v;
        if (viaSlurm && typeof progress.slurmJobId === 'string') {
          slurmJobId = progress.slurmJobId;
          ctx.slurm?.jobIds.add(slurmJobId);
        }
        h.emit({ type: 'stage-progress', name, progress });
      },
    });
    const endedAt = performance.now();
    const base = { fingerprint: fp.digest, log, exitCode: res.exitCode, ...(Object.keys(timings).length > 0 ? { timings } : {}), ...(slurmJobId ? { slurmJobId } : {}), ...(res.signal ? { signal: res.signal } : {}), ...(res.peakRssBytes !== undefined ? { peakRssBytes: res.peakRssBytes } : {}) };
    if (!res.ok) {
      await rollback();
      const why = ctx.signal?.aborted
        ? `Stage "${name}" was interrupted: ${stage.cmd}`
        : (res.error ?? (res.signal ? `Stage "${name}" was killed by ${res.signal}: ${stage.cmd}` : `Stage "${name}" failed with exit code ${res.exitCode}: ${stage.cmd}`));
      return h.finish({ status: 'failed', ...base, error: why }, res.logTail);
    }
    // A digest is remembered in the stat cache only when the file's last write lies the racy
    // window before it was read; outs hashed right after the stage would be hashed again by the
    // next no-op run (seconds for a large out). So let the window pass: at most 100 ms of wall
    // time per stage that ran, no CPU.
    const settle = endedAt + hasher.racyWindowMs + 10 - performance.now();
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    const stored = await storeOuts(root, stage.outs, hasher, h.store);
    if (!stored.ok) {
      await rollback();
      return h.finish({ status: 'failed', ...base, error: `Stage "${name}": ${stored.error}` }, res.logTail);
    }
    const entry = lockEntryFrom(fp, stored.value);
    await runCache.put(entry);
    await h.persistLock(name, entry);
    for (const out of stage.outs) hasher.invalidate(out);
    settled = true;
    await tx.commit();
    return h.finish({ status: 'ran', ...base });
  } finally {
    // Whatever threw above (a bug), the previous outs must come back.
    await rollback().catch(() => {});
  }
}
