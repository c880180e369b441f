/**
 * `pipeline status` and `pipeline explain`: read-only views of what a run would find. Neither
 * takes the run lock nor writes anything (save removing run-cache records found invalid), so
 * both are safe beside a running `pipeline run`.
 */
import { resolve } from 'node:path';
import type { LockFile, Pipeline } from '../types.ts';
import { loadAndSelect } from '../run.ts';
import { computeStatus, explainStage, type StatusContext } from '../status.ts';
import { Hasher } from '../store/hasher.ts';
import { dropInvalidEntries, readLock } from '../store/lock.ts';
import { RunCache } from '../store/run-cache.ts';
import { cacheDir } from '../store/cache-dir.ts';
import { didYouMean } from '../suggest.ts';
import { paint } from './io.ts';
import { UsageError, flag, type VerbContext } from './verb.ts';
import { loadOverrides, printJson, reportDiagnostics } from './common.ts';
import { describeReason } from './describe.ts';

async function open(ctx: VerbContext, targets: string[]): Promise<{ p: Pipeline; selected: string[]; sctx: StatusContext } | number> {
  const overrides = loadOverrides(ctx);
  if (Array.isArray(overrides)) return reportDiagnostics(ctx, overrides);
  // The hasher first: the config's check of unproduced deps then takes the stats it hashes with.
  const hasher = new Hasher({ root: resolve(ctx.root) });
  await hasher.load();
  const sel = await loadAndSelect({ root: ctx.root, targets, withUpstream: false, ...overrides, exists: (rel) => hasher.exists(rel) });
  if (!sel.ok) return reportDiagnostics(ctx, sel.diagnostics);
  const root = sel.pipeline.root;
  const lock = await readLock(root, overrides.profile);
  if (!lock.ok) return reportDiagnostics(ctx, lock.error);
  const l: LockFile = lock.value;
  const warn = (message: string) => ctx.io.err(`warning: ${message}\n`);
  for (const message of dropInvalidEntries(l, sel.pipeline, sel.selected)) warn(message);
  return { p: sel.pipeline, selected: sel.selected, sctx: { root, hasher, lock: l, runCache: new RunCache(root, warn, cacheDir(root, sel.pipeline.cache)) } };
}

const colorOf = { fresh: 'green', changed: 'yellow', restorable: 'cyan', 'never-run': 'magenta' } as const;

/** Handler of `pipeline status`. */
export async function statusVerb(ctx: VerbContext): Promise<number> {
  const opened = await open(ctx, ctx.positionals);
  if (typeof opened === 'number') return opened;
  const entries = await computeStatus(opened.p, opened.selected, opened.sctx);
  if (flag(ctx.values, 'json')) {
    printJson(ctx, {
      ok: true,
      stages: entries.map((e) => ({
        name: e.name,
        state: e.state.state,
        ...(e.state.state === 'changed' || e.state.state === 'restorable' ? { reasons: e.state.reasons } : {}),
        ...(e.fingerprint ? { fingerprint: e.fingerprint.digest } : {}),
        ...(e.error ? { error: e.error } : {}),
      })),
    });
    return 0;
  }
  const { io } = ctx;
  // Fifty fresh stages around the two that changed hide them: fresh ones are listed on request.
  const shown = flag(ctx.values, 'all') ? entries : entries.filter((e) => e.state.state !== 'fresh');
  const width = Math.max(0, ...shown.map((e) => e.name.length));
  for (const e of shown) {
    const label = paint(io.color, colorOf[e.state.state], e.state.state.padEnd(10));
    io.out(`${e.name.padEnd(width)}  ${label}\n`);
    const reasons = e.state.state === 'changed' || e.state.state === 'restorable' ? e.state.reasons : [];
    for (const r of reasons) io.out(`${' '.repeat(width)}    ${describeReason(r)}\n`);
    if (e.error && e.state.state !== 'never-run') io.out(`${' '.repeat(width)}    ${e.error}\n`);
  }
  const count = (s: string) => entries.filter((e) => e.state.state === s).length;
  const hidden = entries.length - shown.length;
  io.err(`${count('fresh')} fresh, ${count('changed')} changed, ${count('restorable')} restorable, ${count('never-run')} never run.${hidden > 0 ? ' (--all lists the fresh ones too.)' : ''}\n`);
  return 0;
}

/** Handler of `pipeline explain STAGE`. */
export async function explainVerb(ctx: VerbContext): Promise<number> {
  const [name, ...extra] = ctx.positionals;
  if (name === undefined) throw new UsageError('"pipeline explain" needs a stage name.');
  if (extra.length > 0) throw new UsageError(`"pipeline explain" takes one stage, got ${ctx.positionals.length}.`);
  const opened = await open(ctx, []);
  if (typeof opened === 'number') return opened;
  if (!opened.p.stages.has(name)) {
    const guess = didYouMean(name, [...opened.p.stages.keys()]);
    throw new UsageError(`Unknown stage "${name}".`, guess ? `Did you mean "${guess}"?` : undefined);
  }
  const x = await explainStage(opened.p, name, opened.sctx);
  if (flag(ctx.values, 'json')) {
    printJson(ctx, { ok: true, name, state: x.state.state, ranBefore: x.ranBefore, reasons: x.reasons, ...(x.error ? { error: x.error } : {}) });
    return 0;
  }
  const { io } = ctx;
  io.out(`${name}: ${paint(io.color, colorOf[x.state.state], x.state.state)}\n`);
  if (!x.ranBefore) io.out('  It has never run: there is no entry for it in pipeline.lock.\n');
  else if (x.reasons.length === 0) io.out('  Nothing differs from its last run.\n');
  for (const r of x.reasons) io.out(`  ${describeReason(r)}\n`);
  if (x.error) io.out(`  ${x.error}\n`);
  if (x.state.state === 'restorable') io.out('  A run with these inputs is in the run-cache: `pipeline run` will restore it without executing.\n');
  return 0;
}
