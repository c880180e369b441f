/**
 * What `pipeline status`, `pipeline explain` and `run --dry-run` share: the state of each stage
 * computed without running anything and without taking the run lock.
 */
import type { ChangeReason, Fingerprint, LockFile, Pipeline, StageState } from './types.ts';
import type { Hasher } from './store/hasher.ts';
import type { RunCache } from './store/run-cache.ts';
import { computeFingerprint, explainChanges } from './store/fingerprint.ts';
import { stageState } from './store/state.ts';

/** The state of one stage, plus the fingerprint it has now (absent when its deps are missing). */
export interface StatusEntry {
  name: string;
  state: StageState;
  fingerprint?: Fingerprint;
  /** Why no fingerprint could be computed (a dep does not exist yet…). */
  error?: string;
}

/** The stores a status computation reads. */
export interface StatusContext {
  root: string;
  hasher: Hasher;
  lock: LockFile;
  runCache: RunCache;
  /** Outputs of `runtime` commands, shared with a run that follows, so each runs once [fresh]. */
  runtimeMemo?: Map<string, string>;
}

/** One sentence from a fingerprint failure, whatever shape its error has. */
export function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) return e.map(errorText).join(' ');
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/**
 * Computes the state of `names` (in topological order). A stage whose upstream is not fresh is
 * `changed` with an `upstream` reason even when its own inputs look unchanged, because the
 * upstream's outputs — its deps — are about to change.
 */
export async function computeStatus(p: Pipeline, names: string[], ctx: StatusContext): Promise<StatusEntry[]> {
  const byName = new Map<string, StatusEntry>();
  const runtimeMemo = ctx.runtimeMemo ?? new Map<string, string>();
  const wanted = new Set(names);
  // Upstream state matters even for stages not asked about, so walk every ancestor too.
  const closure = new Set<string>();
  const visit = (n: string) => {
    if (closure.has(n)) return;
    closure.add(n);
    for (const u of p.upstream.get(n) ?? []) visit(u);
  };
  names.forEach(visit);
  for (const name of p.order) {
    if (!closure.has(name)) continue;
    const stage = p.stages.get(name);
    if (!stage) continue;
    const entry = ctx.lock.stages[name];
    const staleUp = (p.upstream.get(name) ?? []).filter((u) => byName.get(u)?.state.state !== 'fresh');
    const upReasons: ChangeReason[] = staleUp.map((u) => ({ kind: 'upstream', stage: u }));
    const fp = await computeFingerprint(stage, ctx.root, ctx.hasher, runtimeMemo, entry);
    let result: StatusEntry;
    if (!fp.ok) {
      result = entry
        ? { name, state: { state: 'changed', reasons: upReasons }, error: errorText(fp.error) }
        : { name, state: { state: 'never-run' }, error: errorText(fp.error) };
    } else {
      const own = await stageState(fp.value, entry, ctx.root, ctx.hasher, ctx.runCache);
      let state: StageState = own;
      if (upReasons.length > 0 && own.state === 'fresh') state = { state: 'changed', reasons: upReasons };
      else if (upReasons.length > 0 && own.state === 'changed') state = { state: 'changed', reasons: [...own.reasons, ...upReasons] };
      result = { name, state, fingerprint: fp.value };
    }
    byName.set(name, result);
  }
  return p.order.filter((n) => wanted.has(n)).map((n) => byName.get(n)!).filter(Boolean);
}

/** The reasons `explain` prints: input differences between now and the lock entry. */
export async function explainStage(
  p: Pipeline,
  name: string,
  ctx: StatusContext,
): Promise<{ state: StageState; reasons: ChangeReason[]; error?: string; ranBefore: boolean }> {
  const [status] = await computeStatus(p, [name], ctx);
  const entry = ctx.lock.stages[name];
  const state = status?.state ?? { state: 'never-run' };
  if (!entry) return { state, reasons: [], ranBefore: false, ...(status?.error ? { error: status.error } : {}) };
  const reasons: ChangeReason[] = status?.fingerprint ? explainChanges(status.fingerprint, entry) : [];
  const own = state.state === 'changed' || state.state === 'restorable' ? state.reasons : [];
  const key = (r: ChangeReason) => JSON.stringify(r);
  const seen = new Set(reasons.map(key));
  for (const r of own) if (!seen.has(key(r))) reasons.push(r);
  return { state, reasons, ranBefore: true, ...(status?.error ? { error: status.error } : {}) };
}
