/**
 * Where the cache (objects and run records) lives: `.pipeline/cache` of the project, or — with
 * `PIPELINE_CACHE_DIR` — a directory shared by several checkouts, e.g. on a cluster's shared file
 * system. Sharing is safe because objects are content-addressed and enter by atomic rename (a
 * reader sees a whole object or none), run records are validated before use (run-cache.ts), and
 * `gc` in a shared cache leaves young objects alone and never sweeps other machines' temp files
 * (gc.ts). What stays per checkout: the lock, the run lock, logs, the stat cache.
 */
import { isAbsolute, join, resolve } from 'node:path';

/** The cache directory of the project at `root` (absolute). */
export function cacheDir(root: string): string {
  const shared = sharedCacheDir(root);
  return shared ?? join(root, '.pipeline', 'cache');
}

/** The shared cache directory, when `PIPELINE_CACHE_DIR` names one (relative to `root` if not absolute). */
export function sharedCacheDir(root: string): string | undefined {
  const dir = process.env.PIPELINE_CACHE_DIR;
  if (dir === undefined || dir === '') return undefined;
  return isAbsolute(dir) ? dir : resolve(root, dir);
}
