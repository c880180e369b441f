/**
 * The plan of a run (`run --dry-run`, and the first event every reporter sees): per selected
 * stage, whether it would run, be restored from the cache, or stay as it is.
 */
import type { ChangeReason } from './types.ts';
import type { StatusEntry } from './status.ts';

/** What a run would do with one stage. */
export type PlanAction = 'run' | 'restore' | 'fresh';

/** One line of the plan. */
export interface PlanEntry {
  name: string;
  action: PlanAction;
  /** Why it is not fresh (empty for `fresh`, and for `--force` or a never-run stage). */
  reasons: ChangeReason[];
  /** The stage has never run (no lock entry). */
  neverRun?: boolean;
}

/**
 * Derives the plan from stage states. A restorable stage downstream of one that will run is
 * planned as `run`: its deps are about to change, so its restorable fingerprint is moot.
 */
export function planFromStatus(entries: StatusEntry[], upstream: Map<string, string[]>, force: boolean): PlanEntry[] {
  const actions = new Map<string, PlanAction>();
  return entries.map((e) => {
    const upRuns = (upstream.get(e.name) ?? []).some((u) => {
      const a = actions.get(u);
      return a === 'run' || a === 'restore';
    });
    let action: PlanAction;
    let reasons: ChangeReason[] = [];
    const s = e.state;
    if (force) action = 'run';
    else if (s.state === 'fresh') action = upRuns ? 'run' : 'fresh';
    else if (s.state === 'restorable') action = upRuns ? 'run' : 'restore';
    else action = 'run';
    if (s.state === 'changed' || s.state === 'restorable') reasons = s.reasons;
    actions.set(e.name, action);
    return { name: e.name, action, reasons, ...(s.state === 'never-run' ? { neverRun: true } : {}) };
  });
}
