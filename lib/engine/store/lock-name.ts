/**
 * Lock file names. A leaf module (no imports) so that the stage helper (`lib/engine/stage.ts`),
 * which every stage process loads, can name the lock of its profile without loading the store.
 */

/** The default lock file's name, relative to the project root. */
export const LOCK_FILE = 'pipeline.lock';

/**
 * The lock file of a profile: `pipeline.<profile>.lock`, so that a profile run (CI's smoke run)
 * never rewrites the default lock; no profile → `pipeline.lock`. Profile names are plain words
 * (the schema says so), so the name cannot leave the root.
 */
export function lockFileOf(profile?: string): string {
  return profile === undefined || profile === '' ? LOCK_FILE : `pipeline.${profile}.lock`;
}
