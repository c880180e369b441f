/**
 * The process groups of the stages running in this process, so that a runner about to exit
 * at once (a second Ctrl-C) can SIGKILL them first. Without this they would outlive it, still
 * writing outs that the next run rolls back. Kept apart from execute.ts so that the CLI's
 * signal handler can reach it without loading the executor.
 */
const live = new Set<number>();

/** A stage's group started (its leader's pid is the group id). */
export function trackStageGroup(pgid: number): void {
  live.add(pgid);
}

/** The group is gone (or no longer ours to kill). */
export function untrackStageGroup(pgid: number): void {
  live.delete(pgid);
}

/** SIGKILLs every tracked group, synchronously (it runs right before `process.exit`); returns how many. */
export function killStageGroups(): number {
  let n = 0;
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
      n++;
    } catch {
      // ESRCH: already gone.
    }
  }
  live.clear();
  return n;
}
