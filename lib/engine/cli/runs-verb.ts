/**
 * `pipeline runs [show ID]`: the run history of `.pipeline/logs/runs.jsonl` as one wide table,
 * so that today's run can be put beside yesterday's `--set ex1.units=128` run.
 */
import { cell } from '../metrics.ts';
import { readRunLog, RUN_LOG, type RunLogLine } from '../reporters/run-log.ts';
import { formatBytes, formatDuration, formatTable } from './io.ts';
import { UsageError, flag, str, type VerbContext } from './verb.ts';
import { printJson, subCommand } from './common.ts';

type Run = RunLogLine & { id: string };

const count = (r: Run, status: string) => r.stages.filter((s) => s.status === status).length;

/** `2026-12-06T09:15:02.120Z` → `2026-12-06 09:15` (UTC: the log's own zone, the same on every machine). */
const time = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

function overrides(r: Run): string {
  return [...(r.name !== undefined ? [`[${r.name}]`] : []), ...(r.targets ?? []), ...(r.set ?? []).map((s) => `--set ${s}`)].join(' ') || '—';
}

/** The first headline metric of each stage: `ex1:test_accuracy=0.91`. */
function keyMetrics(r: Run): string {
  return Object.entries(r.metrics ?? {}).map(([stage, m]) => {
    const [k, v] = Object.entries(m)[0] ?? [];
    return k === undefined ? '' : `${stage}:${k}=${cell(v)}`;
  }).filter(Boolean).join(' ') || '—';
}

function table(runs: Run[]): string {
  const rows = [['id', 'time (UTC)', 'commit', 'profile', 'overrides', 'ok', 'ran', 'restored', 'wall', 'key metrics']];
  for (const r of runs) {
    rows.push([
      r.id, time(r.startedAt), r.commit ? `${r.commit.slice(0, 8)}${r.dirty ? '+' : ''}` : '—', r.profile ?? 'default', overrides(r),
      r.interrupted ? 'int' : r.ok ? 'yes' : 'NO', String(count(r, 'ran')), String(count(r, 'restored')), formatDuration(r.wallMs), keyMetrics(r),
    ]);
  }
  return formatTable(rows);
}

function detail(r: Run): string {
  const lines = [
    `run ${r.id}${r.name !== undefined ? ` (${r.name})` : ''}`,
    `  started   ${r.startedAt}`,
    `  command   pipeline ${r.argv.join(' ')}`,
    `  commit    ${r.commit ?? '— (not in git)'}${r.dirty ? ' with uncommitted changes' : ''}`,
    `  profile   ${r.profile ?? 'default'}`,
    `  result    ${r.interrupted ? 'interrupted' : r.ok ? 'ok' : 'failed'} after ${formatDuration(r.wallMs)}; runner peak ${formatBytes(r.runnerPeakRssBytes)}`,
    '',
  ];
  const stages = r.stages.filter((s) => s.status !== 'cached');
  lines.push(`${stages.length} stage(s) ran, restored or failed (${count(r, 'cached')} were fresh):`);
  lines.push(formatTable([['stage', 'status', 'time', 'peak memory', 'exit'], ...stages.map((s) => [s.name, s.status, formatDuration(s.durationMs), s.peakRssBytes !== undefined ? formatBytes(s.peakRssBytes) : '—', s.exitCode !== undefined ? String(s.exitCode) : '—'])]).trimEnd());
  if (r.metrics) {
    lines.push('', 'Headline metrics:');
    const rows = [['stage', 'metric', 'value']];
    for (const [stage, m] of Object.entries(r.metrics)) for (const [k, v] of Object.entries(m)) rows.push([stage, k, cell(v)]);
    lines.push(formatTable(rows).trimEnd());
  }
  return lines.join('\n') + '\n';
}

/** Handler of `pipeline runs`. */
export async function runsVerb(ctx: VerbContext): Promise<number> {
  const [action, id, ...extra] = ctx.positionals;
  if (action !== undefined) subCommand(ctx, 'runs', ['show']);
  if (action === 'show' && id === undefined) throw new UsageError('"pipeline runs show" needs a run id (see "pipeline runs").');
  if (extra.length > 0) throw new UsageError('"pipeline runs show" takes one run id.');
  const { runs, skipped } = await readRunLog(ctx.root);
  if (skipped > 0) ctx.io.err(`warning: ${skipped} line(s) of ${RUN_LOG} do not parse and were skipped.\n`);
  const json = flag(ctx.values, 'json');
  if (action === 'show') {
    const hits = runs.filter((r) => r.id === id || r.id.startsWith(id!));
    if (hits.length !== 1) {
      throw new UsageError(hits.length === 0 ? `No recorded run has the id "${id}".` : `"${id}" is the start of ${hits.length} run ids.`, 'Copy an id from "pipeline runs".');
    }
    if (json) printJson(ctx, { ok: true, run: hits[0] });
    else ctx.io.out(detail(hits[0]!));
    return 0;
  }
  const lastText = str(ctx.values, 'last');
  const last = lastText === undefined ? 20 : Number(lastText);
  if (!Number.isInteger(last) || last < 1) throw new UsageError(`--last needs a whole number ≥ 1, got "${lastText}".`);
  const shown = flag(ctx.values, 'all') ? runs : runs.slice(-last);
  if (json) printJson(ctx, { ok: true, runs: shown });
  else if (runs.length === 0) ctx.io.err(`No runs recorded yet (${RUN_LOG} is absent or empty).\n`);
  else {
    ctx.io.out(table(shown));
    if (shown.length < runs.length) ctx.io.err(`${runs.length - shown.length} older run(s) not shown (--all lists them).\n`);
  }
  return 0;
}
