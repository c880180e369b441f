/**
 * Where the cache (objects and run records) lives: `.pipeline/cache` of the project, or — with
 * `PIPELINE_CACHE_DIR`, else pipeline.yaml's `cache: {dir}` — a directory shared by several checkouts, e.g. on a cluster's shared file
 * system. Sharing is safe because objects are content-addressed and enter by atomic rename (a
 * reader sees a whole object or none), run records are validated before use (run-cache.ts), and
 * `gc` in a shared cache leaves young objects alone and never sweeps other machines' temp files
 * (gc.ts). What stays per checkout: the lock, the run lock, logs, the stat cache.
 */
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The cache directory of the project at `root` (absolute): `PIPELINE_CACHE_DIR`, else
 * `configured` (pipeline.yaml's `cache.dir`), each relative to `root` unless absolute, else
 * `.pipeline/cache`.
 */
export function cacheDir(root: string, configured?: string): string {
  return sharedCacheDir(root, configured) ?? defaultCacheDir(root);
}

/** The cache directory when it is not the project's own (see `cacheDir`), else undefined. */
export function sharedCacheDir(root: string, configured?: string): string | undefined {
  const env = process.env.PIPELINE_CACHE_DIR;
  const dir = env !== undefined && env !== '' ? env : configured;
  if (dir === undefined || dir === '') return undefined;
  const abs = isAbsolute(dir) ? dir : resolve(root, dir);
  return abs === defaultCacheDir(root) ? undefined : abs;
}

function defaultCacheDir(root: string): string {
  return join(root, '.pipeline', 'cache');
}
