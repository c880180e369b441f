/**
 * `pipeline metrics show|diff` and `pipeline params diff`: the stages' metrics and the params,
 * now and at git revisions. A revision's metrics come through its committed lock file and the
 * local cache (metrics-rev.ts), since the metrics files themselves are git-ignored outs.
 */
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import { plainValue } from '../config/yaml-value.ts';
import { gitShow } from '../git.ts';
import { cell, collectMetrics, diffTables, flatten, headlineKeys, type DiffRow, type MetricsFile, type Scalar } from '../metrics.ts';
import { metricsAtRev } from '../metrics-rev.ts';
import { loadAndSelect } from '../run.ts';
import { formatMarkdown, formatTable } from './io.ts';
import { UsageError, flag, list, str, type VerbContext } from './verb.ts';
import { loadOverrides, printJson, reportDiagnostics, subCommand } from './common.ts';

/** The side of a diff that is the working tree rather than a revision. */
const WORKSPACE = 'workspace';

function precisionOf(ctx: VerbContext): number {
  const text = str(ctx.values, 'precision');
  if (text === undefined) return 6;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 17) throw new UsageError(`--precision needs a whole number from 1 to 17, got "${text}".`);
  return n;
}

function print(ctx: VerbContext, rows: string[][]): void {
  ctx.io.out(flag(ctx.values, 'md') ? formatMarkdown(rows) : formatTable(rows));
}

function change(r: DiffRow, precision: number): string {
  if (r.delta !== undefined) return (r.delta >= 0 ? '+' : '') + cell(r.delta, precision);
  if (r.before === undefined) return 'added';
  if (r.after === undefined) return 'removed';
  return r.before === r.after ? '' : 'changed';
}

function diffRows(rows: DiffRow[], labels: [string, string], withPath: boolean, precision: number): string[][] {
  const head = [...(withPath ? ['path', 'metric'] : ['param']), labels[0], labels[1], 'change'];
  return [head, ...rows.map((r) => [...(withPath ? [r.path] : []), r.key, cell(r.before, precision), cell(r.after, precision), change(r, precision)])];
}

/** Both sides' positionals: `diff` → HEAD vs workspace, `diff A` → A vs workspace, `diff A B`. */
function revisions(ctx: VerbContext, verb: string): [string, string | undefined] {
  const [, a, b, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`"pipeline ${verb} diff" takes at most two revisions, got ${ctx.positionals.length - 1}.`);
  return [a ?? 'HEAD', b];
}

/** `metrics show`: one row per file (headline metrics), or one row per key with `--all`. */
function show(ctx: VerbContext, files: MetricsFile[]): number {
  const precision = precisionOf(ctx);
  const all = flag(ctx.values, 'all');
  if (flag(ctx.values, 'json')) {
    const pick = (f: MetricsFile) => (all ? f.values : Object.fromEntries(headlineKeys(f.values).map((k) => [k, f.values[k]])));
    printJson(ctx, { ok: true, metrics: files.map((f) => ({ stage: f.stage, path: f.path, values: pick(f), ...(f.error ? { error: f.error } : {}) })) });
    return 0;
  }
  if (files.length === 0) {
    ctx.io.err('No selected stage declares metrics.\n');
    return 0;
  }
  const rows = all ? [['stage', 'path', 'metric', 'value']] : [['stage', 'path', 'metrics']];
  for (const f of files) {
    if (f.error) rows.push([f.stage, f.path, ...(all ? [''] : []), `(${f.error})`]);
    else if (all) for (const [k, v] of Object.entries(f.values)) rows.push([f.stage, f.path, k, cell(v, precision)]);
    else rows.push([f.stage, f.path, headlineKeys(f.values).map((k) => `${k}=${cell(f.values[k], precision)}`).join('  ')]);
  }
  print(ctx, rows);
  return 0;
}

/** Handler of `pipeline metrics`. */
export async function metricsVerb(ctx: VerbContext): Promise<number> {
  const action = subCommand(ctx, 'metrics', ['show', 'diff']);
  const overrides = loadOverrides(ctx);
  if (Array.isArray(overrides)) return reportDiagnostics(ctx, overrides);
  const targets = [...list(ctx.values, 'target'), ...(action === 'show' ? ctx.positionals.slice(1) : [])];
  const sel = await loadAndSelect({ root: ctx.root, targets, withUpstream: false, ...overrides });
  if (!sel.ok) return reportDiagnostics(ctx, sel.diagnostics);
  const p = sel.pipeline;
  const chosen = new Set(sel.selected);
  const declared = p.order.filter((n) => chosen.has(n)).flatMap((stage) => (p.stages.get(stage)?.metrics ?? []).map((path) => ({ stage, path })));
  const now = () => collectMetrics(p).then((fs) => fs.filter((f) => chosen.has(f.stage)));
  if (action === 'show') return show(ctx, await now());

  const [a, b] = revisions(ctx, 'metrics');
  const profile = overrides.profile;
  const before = await metricsAtRev(p.root, a, declared, profile);
  const after = b === undefined ? await now() : await metricsAtRev(p.root, b, declared, profile);
  const labels: [string, string] = [a, b ?? WORKSPACE];
  const precision = precisionOf(ctx);
  const rows: DiffRow[] = [];
  const unavailable: { path: string; side: string; error: string }[] = [];
  for (const [i, f] of before.entries()) {
    const g = after[i]!;
    // A file one side cannot read is reported, not diffed: otherwise every key of it would
    // show as "added" or "removed", which is what made the old diff useless.
    if (f.error || g.error) {
      if (f.error) unavailable.push({ path: f.path, side: labels[0], error: f.error });
      if (g.error) unavailable.push({ path: g.path, side: labels[1], error: g.error });
      continue;
    }
    let changes = diffTables(f.path, f.values, g.values, flag(ctx.values, 'all'));
    if (flag(ctx.values, 'only-changed')) changes = changes.filter((r) => r.before !== undefined && r.after !== undefined);
    rows.push(...changes);
  }
  if (flag(ctx.values, 'json')) {
    printJson(ctx, { ok: true, a: labels[0], b: labels[1], rev: labels[0], changes: rows, ...(unavailable.length > 0 ? { unavailable } : {}) });
    return 0;
  }
  // A fresh clone has every file unavailable: a few examples say why, a count says how many.
  for (const u of unavailable.slice(0, 4)) ctx.io.err(`warning: ${u.path} at ${u.side}: ${u.error}.\n`);
  if (unavailable.length > 4) ctx.io.err(`warning: ${unavailable.length - 4} more metrics file(s) unavailable on one side (--json lists them).\n`);
  const compared = before.length - new Set(unavailable.map((u) => u.path)).size;
  if (rows.length === 0) ctx.io.err(compared === 0 ? `No metrics file could be read on both sides: nothing compared.\n` : `No metric differs between ${labels[0]} and ${labels[1]} (${compared} file(s) compared).\n`);
  else print(ctx, diffRows(rows, labels, true, precision));
  return 0;
}

/** The `params:` block of pipeline.yaml at `rev`, flattened; empty (with a warning) when unusable. */
async function paramsAt(ctx: VerbContext, root: string, rel: string, rev: string): Promise<Record<string, Scalar>> {
  const text = await gitShow(root, rev, rel);
  if (text === undefined) return {};
  const doc = parseDocument(text);
  // An alias bomb or undefined alias in the old text is as unusable as a syntax error.
  const plain = doc.errors.length === 0 ? plainValue(doc) : undefined;
  const js: unknown = plain?.ok ? plain.value : undefined;
  if (js && typeof js === 'object' && 'params' in js) return flatten((js as { params?: unknown }).params ?? {});
  if (!plain?.ok) ctx.io.err(`warning: ${rel} at ${rev} does not parse${plain ? ` (${plain.message})` : ''}; its params are treated as empty.\n`);
  return {};
}

/** Handler of `pipeline params`. */
export async function paramsVerb(ctx: VerbContext): Promise<number> {
  subCommand(ctx, 'params', ['diff']);
  const [a, b] = revisions(ctx, 'params');
  const overrides = loadOverrides(ctx);
  if (Array.isArray(overrides)) return reportDiagnostics(ctx, overrides);
  const sel = await loadAndSelect({ root: ctx.root, ...overrides });
  if (!sel.ok) return reportDiagnostics(ctx, sel.diagnostics);
  const p = sel.pipeline;
  const rel = relative(p.root, p.file) || 'pipeline.yaml';
  const before = await paramsAt(ctx, p.root, rel, a);
  const after = b === undefined ? flatten(p.params) : await paramsAt(ctx, p.root, rel, b);
  const labels: [string, string] = [a, b ?? WORKSPACE];
  const rows = diffTables('', before, after);
  if (flag(ctx.values, 'json')) printJson(ctx, { ok: true, a: labels[0], b: labels[1], rev: labels[0], changes: rows.map(({ path: _p, ...r }) => r) });
  else if (rows.length === 0) ctx.io.err(`No param differs between ${labels[0]} and ${labels[1]}.\n`);
  else print(ctx, diffRows(rows, labels, false, precisionOf(ctx)));
  return 0;
}
