/**
 * `pipeline metrics show|diff [REV]` and `pipeline params diff [REV]`: tables of the stages'
 * metrics and of the params, now and against a git revision (default HEAD).
 */
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import { plainValue } from '../config/yaml-value.ts';
import { loadPipeline } from '../config/load.ts';
import { gitShow } from '../git.ts';
import { cell, collectMetrics, diffTables, flatten, parseMetricsText, type DiffRow } from '../metrics.ts';
import { didYouMean } from '../suggest.ts';
import { formatTable } from './io.ts';
import { UsageError, flag, type VerbContext } from './verb.ts';
import { loadOverrides, printJson, reportDiagnostics } from './common.ts';

function sub(ctx: VerbContext, verb: string, allowed: string[]): { action: string; rev: string } {
  const [action, rev, ...extra] = ctx.positionals;
  if (action === undefined) throw new UsageError(`"pipeline ${verb}" needs a sub-command: ${allowed.join(' or ')}.`);
  if (!allowed.includes(action)) {
    const guess = didYouMean(action, allowed);
    throw new UsageError(`Unknown sub-command "${verb} ${action}".`, guess ? `Did you mean "${guess}"?` : `Use ${allowed.join(' or ')}.`);
  }
  if (extra.length > 0) throw new UsageError(`Too many arguments for "pipeline ${verb} ${action}".`);
  return { action, rev: rev ?? 'HEAD' };
}

function diffTable(rows: DiffRow[], withPath: boolean): string {
  const head = [...(withPath ? ['path'] : []), withPath ? 'metric' : 'param', 'before', 'after', 'change'];
  return formatTable([
    head,
    ...rows.map((r) => [...(withPath ? [r.path] : []), r.key, cell(r.before), cell(r.after), r.delta !== undefined ? (r.delta >= 0 ? '+' : '') + cell(r.delta) : r.before === undefined ? 'added' : r.after === undefined ? 'removed' : 'changed']),
  ]);
}

/** Handler of `pipeline metrics`. */
export async function metricsVerb(ctx: VerbContext): Promise<number> {
  const { action, rev } = sub(ctx, 'metrics', ['show', 'diff']);
  if (action === 'show' && ctx.positionals.length > 1) throw new UsageError('"pipeline metrics show" takes no revision.');
  const loaded = await loadPipeline({ root: ctx.root });
  if (!loaded.ok) return reportDiagnostics(ctx, loaded.error);
  const files = await collectMetrics(loaded.value);
  const json = flag(ctx.values, 'json');
  if (action === 'show') {
    if (json) {
      printJson(ctx, { ok: true, metrics: files.map((f) => ({ stage: f.stage, path: f.path, values: f.values, ...(f.error ? { error: f.error } : {}) })) });
      return 0;
    }
    const rows = [['stage', 'path', 'metric', 'value']];
    for (const f of files) {
      if (f.error) rows.push([f.stage, f.path, '', `(${f.error})`]);
      for (const [k, v] of Object.entries(f.values)) rows.push([f.stage, f.path, k, cell(v)]);
    }
    if (files.length === 0) ctx.io.err('No stage declares metrics.\n');
    else ctx.io.out(formatTable(rows));
    return 0;
  }
  const rows: DiffRow[] = [];
  for (const f of files) {
    const old = await gitShow(loaded.value.root, rev, f.path);
    if (!old.ok) return reportDiagnostics(ctx, [{ severity: 'error', message: old.error }], 1);
    let before: Record<string, ReturnType<typeof flatten>[string]> = {};
    try {
      if (old.value !== undefined) before = parseMetricsText(f.path, old.value);
    } catch {
      ctx.io.err(`warning: ${f.path} at ${rev} is not valid ${f.path.endsWith('.json') ? 'JSON' : 'YAML'}; treated as empty.\n`);
    }
    rows.push(...diffTables(f.path, before, f.values));
  }
  if (json) printJson(ctx, { ok: true, rev, changes: rows });
  else if (rows.length === 0) ctx.io.err(`No metric differs from ${rev}.\n`);
  else ctx.io.out(diffTable(rows, true));
  return 0;
}

/** Handler of `pipeline params`. */
export async function paramsVerb(ctx: VerbContext): Promise<number> {
  const { rev } = sub(ctx, 'params', ['diff']);
  const overrides = loadOverrides(ctx);
  if (Array.isArray(overrides)) return reportDiagnostics(ctx, overrides);
  const loaded = await loadPipeline({ root: ctx.root, ...overrides });
  if (!loaded.ok) return reportDiagnostics(ctx, loaded.error);
  const p = loaded.value;
  const rel = relative(p.root, p.file) || 'pipeline.yaml';
  const old = await gitShow(p.root, rev, rel);
  if (!old.ok) return reportDiagnostics(ctx, [{ severity: 'error', message: old.error }], 1);
  let before: Record<string, unknown> = {};
  if (old.value !== undefined) {
    const doc = parseDocument(old.value);
    // An alias bomb or undefined alias in the old text is as unusable as a syntax error.
    const plain = doc.errors.length === 0 ? plainValue(doc) : undefined;
    const js: unknown = plain?.ok ? plain.value : undefined;
    if (js && typeof js === 'object' && 'params' in js) before = ((js as { params?: unknown }).params ?? {}) as Record<string, unknown>;
    else if (!plain?.ok) ctx.io.err(`warning: ${rel} at ${rev} does not parse${plain ? ` (${plain.message})` : ''}; its params are treated as empty.\n`);
  }
  const rows = diffTables('', flatten(before), flatten(p.params));
  if (flag(ctx.values, 'json')) printJson(ctx, { ok: true, rev, changes: rows.map(({ path: _p, ...r }) => r) });
  else if (rows.length === 0) ctx.io.err(`No param differs from ${rev}.\n`);
  else ctx.io.out(diffTable(rows, false));
  return 0;
}
