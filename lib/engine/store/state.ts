/**
 * A stage's state before running: fresh, restorable from the run-cache, changed (with
 * reasons) or never run. This is what `status` prints and what `run` plans from.
 */
import type { ChangeReason, Fingerprint, LockEntry, StageState } from '../types.ts';
import { ObjectStore, readManifest } from './cache.ts';
import { explainChanges } from './fingerprint.ts';
import type { Hasher, PathInfo } from './hasher.ts';
import { recordProblem, type RunCache } from './run-cache.ts';

/**
 * Fresh iff the lock entry has this fingerprint and every recorded out is on disk with its
 * recorded digest (the stat cache makes that cheap). Otherwise restorable iff the run-cache
 * has this fingerprint and all its objects are present; otherwise changed or never-run.
 */
export async function stageState(fp: Fingerprint, entry: LockEntry | undefined, root: string, hasher: Hasher, runCache: RunCache): Promise<StageState> {
  const reasons: ChangeReason[] = [];
  if (entry) {
    // A recorded fingerprint covers the declared outs; an entry claiming it for other outs is forged.
    if (entry.fingerprint === fp.digest && recordProblem(entry, fp.outs) === undefined) {
      // Equal digests mean equal inputs: no input reasons to look for.
      const outReasons = outChanges(entry, hasher);
      const found = outReasons instanceof Promise ? await outReasons : outReasons;
      if (found.length === 0) return { state: 'fresh' };
      reasons.push(...explainChanges(fp, entry), ...found);
    } else reasons.push(...explainChanges(fp, entry));
  }
  const cached = await runCache.get(fp.digest, fp.outs);
  if (cached && (await objectsPresent(cached, new ObjectStore(root, runCache.cache)))) return { state: 'restorable', reasons };
  if (!entry) return { state: 'never-run' };
  return { state: 'changed', reasons };
}

/** Recorded outs that are missing or differ on disk; synchronous when the stat cache answers. */
function outChanges(entry: LockEntry, hasher: Hasher): ChangeReason[] | Promise<ChangeReason[]> {
  const infos = entry.outs.map((o) => hasher.peek(o.path));
  const compare = (all: (PathInfo | undefined)[]): ChangeReason[] => {
    const reasons: ChangeReason[] = [];
    entry.outs.forEach((o, i) => {
      const info = all[i];
      if (!info) reasons.push({ kind: 'out', path: o.path, change: 'missing' });
      else if (info.digest !== o.digest || info.kind !== o.kind) reasons.push({ kind: 'out', path: o.path, change: 'modified' });
    });
    return reasons;
  };
  if (!infos.includes(null)) return compare(infos as (PathInfo | undefined)[]);
  return Promise.all(entry.outs.map((o, i) => infos[i] ?? hasher.info(o.path))).then(compare);
}

/** Presence (not integrity: restore verifies) of every object a run needs. */
async function objectsPresent(entry: LockEntry, store: ObjectStore): Promise<boolean> {
  for (const out of entry.outs) {
    if (!(await store.has(out.digest))) return false;
    if (out.kind === 'dir') {
      const entries = await readManifest(store, out.digest);
      if (!entries) return false;
      const present = await Promise.all(entries.map((e) => store.has(e.digest)));
      if (present.includes(false)) return false;
    }
  }
  return true;
}
