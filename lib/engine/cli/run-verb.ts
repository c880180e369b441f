/**
 * `pipeline run`: options → `runPipeline`, a reporter, signals, the summary, the run log and the
 * `--json` document.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from '../types.ts';
import { runPipeline, type RunResult } from '../run.ts';
import { formatSummary } from '../reporters/format.ts';
import { reporters, defaultReporterName } from '../reporters/index.ts';
import { appendRunLog, newRunId } from '../reporters/run-log.ts';
import { loadPipeline } from '../config/load.ts';
import { gitHead } from '../git.ts';
import { collectMetrics, headlineKeys, type Scalar } from '../metrics.ts';
import { killStageGroups } from '../exec/stage-groups.ts';
import { didYouMean } from '../suggest.ts';
import { formatDuration, paint } from './io.ts';
import { UsageError, flag, str, type VerbContext } from './verb.ts';
import { loadOverrides, printJson, reportDiagnostics } from './common.ts';

function parseJobs(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`Option "--jobs" needs a whole number ≥ 1, got "${v}".`);
  return n;
}

/** Handler of `pipeline run`. */
export async function runVerb(ctx: VerbContext): Promise<number> {
  const { io, values } = ctx;
  const json = flag(values, 'json');
  if (flag(values, 'fail-fast') && flag(values, 'keep-going')) throw new UsageError('Options "--fail-fast" and "--keep-going" exclude each other.');
  const jobs = parseJobs(str(values, 'jobs'));
  const executor = str(values, 'executor');
  if (executor !== undefined && executor !== 'local' && executor !== 'slurm') {
    const guess = didYouMean(executor, ['local', 'slurm']);
    throw new UsageError(`Unknown executor "${executor}".`, guess ? `Did you mean "${guess}"?` : 'Executors: local, slurm.');
  }
  const overrides = loadOverrides(ctx);
  if (Array.isArray(overrides)) return reportDiagnostics(ctx, overrides);
  const reporterName = str(values, 'reporter') ?? defaultReporterName(io, json);
  const factory = reporters[reporterName];
  if (!factory) {
    const guess = didYouMean(reporterName, Object.keys(reporters));
    throw new UsageError(`Unknown reporter "${reporterName}".`, guess ? `Did you mean "${guess}"?` : `Reporters: ${Object.keys(reporters).join(', ')}.`);
  }
  const reporter: Reporter = await factory(json ? { ...io, out: io.err } : io);
  const dryRun = flag(values, 'dry-run');

  // First Ctrl-C aborts cleanly (kill stages, roll back, release the lock); a second one is the
  // user insisting: exit now, but SIGKILL the stages' process groups first, or they would keep
  // running detached and writing their outs (the next run rolls those back).
  const controller = new AbortController();
  let signalled: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) {
      const killed = killStageGroups();
      io.err(`${paint(io.color, 'yellow', 'Interrupted again')} (${sig}): killed ${killed} running stage(s) and exiting; the next run restores their previous outputs.\n`);
      process.exit(130);
    }
    signalled = sig;
    io.err(`\n${paint(io.color, 'yellow', 'Interrupted')} (${sig}): stopping stages and rolling back their outputs…\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const startedAt = new Date();
  let result: RunResult;
  try {
    result = await runPipeline({
      root: ctx.root,
      targets: ctx.positionals,
      ...(jobs !== undefined ? { jobs } : {}),
      ...(executor !== undefined ? { executor } : {}),
      force: flag(values, 'force'),
      dryRun,
      failFast: flag(values, 'fail-fast'),
      downstream: flag(values, 'downstream'),
      reporter,
      signal: controller.signal,
      ...overrides,
    });
  } finally {
    await reporter.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  if (result.diagnostics) return reportDiagnostics(ctx, result.diagnostics, result.exitCode);

  if (dryRun) {
    const plan = result.plan ?? [];
    if (json) {
      printJson(ctx, { ok: true, dryRun: true, stages: plan.map((e) => ({ name: e.name, action: e.action, reasons: e.reasons })) });
    } else {
      const { describeReason } = await import('./describe.ts');
      for (const e of plan) {
        const why = e.action === 'fresh' ? '' : e.neverRun ? ' (never run)' : e.reasons.length ? ` (${e.reasons.map(describeReason).join('; ')})` : flag(values, 'force') ? ' (--force)' : '';
        io.out(`${e.action.padEnd(7)} ${e.name}${why}\n`);
      }
      const n = (a: string) => plan.filter((e) => e.action === a).length;
      io.err(`Would run ${n('run')}, restore ${n('restore')}, keep ${n('fresh')} fresh.\n`);
    }
    return 0;
  }

  const tails = new Map<string, string>();
  // Failed stages' log tails travel in the stage-end events; re-read them from the logs for the summary.
  for (const o of result.outcomes) if (o.status === 'failed' && o.log) tails.set(o.name, await readTail(ctx.root, o.log));

  const stagePeak = Math.max(0, ...result.outcomes.map((o) => o.peakRssBytes ?? 0));
  const name = str(values, 'name');
  // Two git processes (~10 ms) and, only when stages ran or restored, a second config load.
  const [head, metrics] = await Promise.all([gitHead(ctx.root), headlineMetrics(ctx.root, overrides, result)]);
  const logWarning = await appendRunLog(ctx.root, {
    id: newRunId(startedAt),
    ...(name !== undefined ? { name } : {}),
    startedAt: startedAt.toISOString(),
    wallMs: Math.round(result.durationMs),
    ok: result.exitCode === 0,
    ...(result.interrupted ? { interrupted: true } : {}),
    argv: process.argv.slice(2),
    ...(head ? { commit: head.commit, ...(head.dirty ? { dirty: true } : {}) } : {}),
    ...(overrides.profile !== undefined ? { profile: overrides.profile } : {}),
    ...(overrides.set ? { set: overrides.set.map((s) => `${s.key}=${s.value}`) } : {}),
    ...(ctx.positionals.length > 0 ? { targets: ctx.positionals } : {}),
    ...(metrics ? { metrics } : {}),
    runnerPeakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(stagePeak > 0 ? { stagePeakRssBytes: stagePeak } : {}),
    stages: result.outcomes.map(({ name, status, durationMs, peakRssBytes, exitCode, timings, slurmJobId }) => ({
      name, status, durationMs, ...(peakRssBytes !== undefined ? { peakRssBytes } : {}), ...(exitCode !== undefined ? { exitCode } : {}), ...(timings ? { timings } : {}), ...(slurmJobId ? { slurmJobId } : {}),
    })),
  });
  if (logWarning) io.err(`warning: ${logWarning}\n`);

  if (json) {
    printJson(ctx, {
      ok: result.exitCode === 0,
      durationMs: Math.round(result.durationMs),
      ...(result.interrupted ? { interrupted: true } : {}),
      stages: result.outcomes.map((o) => ({
        name: o.name, status: o.status, durationMs: o.durationMs,
        ...(o.peakRssBytes !== undefined ? { peakRssBytes: o.peakRssBytes } : {}),
        ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}),
        ...(o.fingerprint ? { fingerprint: o.fingerprint } : {}),
        ...(o.error ? { error: o.error } : {}),
        ...(o.log ? { log: o.log } : {}),
        ...(o.timings ? { timings: o.timings } : {}),
        ...(o.slurmJobId ? { slurmJobId: o.slurmJobId } : {}),
      })),
      ...(result.warnings.length ? { warnings: result.warnings } : {}),
    });
  } else {
    io.err(formatSummary(result.outcomes, result.durationMs, tails, io.color));
  }
  if (result.interrupted) io.err(`Run interrupted${signalled ? ` by ${signalled}` : ''} after ${formatDuration(result.durationMs)}; finished stages are recorded, the rest rolled back.\n`);
  return result.exitCode;
}

/**
 * The headline metrics of the stages this run ran or restored, for the run log. Loads the
 * config again only when there are some: a no-op run measured nothing new and stays cheap.
 */
async function headlineMetrics(root: string, overrides: { profile?: string; set?: { key: string; value: string }[] }, result: RunResult): Promise<Record<string, Record<string, Scalar>> | undefined> {
  const touched = new Set(result.outcomes.filter((o) => o.status === 'ran' || o.status === 'restored').map((o) => o.name));
  if (touched.size === 0) return undefined;
  const loaded = await loadPipeline({ root, ...overrides });
  if (!loaded.ok) return undefined;
  const out: Record<string, Record<string, Scalar>> = {};
  for (const f of await collectMetrics(loaded.value)) {
    if (!touched.has(f.stage) || f.error) continue;
    const keys = headlineKeys(f.values);
    if (keys.length > 0) out[f.stage] = { ...out[f.stage], ...Object.fromEntries(keys.map((k) => [k, f.values[k]!])) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

async function readTail(root: string, log: string): Promise<string> {
  try {
    const text = await readFile(join(root, log), 'utf8');
    return text.split('\n').slice(-21).join('\n');
  } catch {
    return '';
  }
}
