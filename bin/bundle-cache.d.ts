/** Types of bundle-cache.js (plain JavaScript, loaded by bin/pipeline.js before any TypeScript). */

/** Anything in the cache touched this recently is kept, leased or not. */
export const GRACE_MS: number;

/** How long a build without LEASED_MARK is kept (the rule of the code before leases). */
export const LEGACY_MS: number;

/** A file in a build directory saying that every CLI running from it holds a lease. */
export const LEASED_MARK: string;

/**
 * Marks `buildDir` as in use by this process until it exits. Returns false when the directory
 * is gone (pruned since the manifest was read): the caller should then build afresh.
 */
export function takeLease(buildDir: string, pid?: number): boolean;

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean;

/** Options of `pruneBuilds`. */
export interface PruneOptions {
  /** The build this process just published (a directory name in the cache). */
  keep?: string;
  /** Default: Date.now(). */
  now?: number;
  /** Default: GRACE_MS. */
  graceMs?: number;
  /** Default: pidAlive. */
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes the builds in `cacheDir` that no CLI can be running from, and leftovers of
 * interrupted builds and prunes. Keeps `keep`, the build manifest.json names, anything touched
 * within `graceMs` of `now`, and every build holding a lease of a live process. Never throws;
 * returns the names it removed.
 */
export function pruneBuilds(cacheDir: string, opts?: PruneOptions): string[];
