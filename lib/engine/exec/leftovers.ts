/**
 * Temp files a killed process left behind: halves of copies into the cache, of restores and of
 * atomic writes (`.tmp-<pid>-<start>-…`, see `tmpPathBeside`). Each names its owner process, so
 * whatever belongs to a dead one can go as soon as it is seen, not an hour later.
 *
 * The engine's own directories are swept on every run (a few directory listings). Temp files
 * beside outs can be anywhere in the project, so their directories are listed only after a
 * runner died: taking over its stale run lock leaves the `unswept` marker, removed once swept.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OBJECTS_DIR } from '../store/cache.ts';
import { sweepDeadTemps } from '../store/fs-util.ts';
import { RUNS_DIR } from '../store/run-cache.ts';
import { pipelineDir, unsweptMarker } from './paths.ts';

/**
 * Removes dead processes' temp files from the engine's directories and, after a runner died,
 * from the directories of `outs` (every out of the pipeline, root-relative). Call it holding the
 * run lock, after `recoverTransactions` (so that no orphaned stage is still writing).
 */
export async function sweepLeftovers(root: string, outs: Iterable<string>): Promise<void> {
  const dirs = new Set([root, pipelineDir(root), join(root, OBJECTS_DIR), join(root, RUNS_DIR), join(pipelineDir(root), 'state')]);
  const marker = unsweptMarker(root);
  const unswept = existsSync(marker);
  if (unswept) for (const out of outs) dirs.add(join(root, dirname(out)));
  await Promise.all([...dirs].map(sweepDeadTemps));
  if (unswept) await rm(marker, { force: true });
}
