/**
 * pipeline.lock: what last ran, per stage. Deterministic YAML (sorted stage names, fixed key
 * order) so that it diffs cleanly in git; malformed files become located diagnostics.
 *
 * A no-op run reads the lock from its parsed copy (lock-cache.ts) and never loads `yaml`;
 * parsing and writing live in lock-yaml.ts, imported on demand.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fingerprint, LockEntry, LockFile, OutRecord, Pipeline, Result } from '../types.ts';
import { errCode, sha256, writeFileAtomic } from './fs-util.ts';
import { fromErrno } from '../errors.ts';
import { LOCK_FILE, lockFileOf, readLockCache, writeLockCache } from './lock-cache.ts';
import { recordProblem } from './run-cache.ts';

export { LOCK_FILE, lockFileOf };

/**
 * Reads the lock of `profile` (`pipeline.lock` without one, see `lockFileOf`); a missing file is
 * an empty lock, a malformed one located diagnostics.
 */
export async function readLock(root: string, profile?: string): Promise<Result<LockFile>> {
  const file = lockFileOf(profile);
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch (e) {
    if (errCode(e) === 'ENOENT') return { ok: true, value: { schema: 1, stages: {} } };
    throw fromErrno(e, { path: join(root, file), base: root }) ?? e;
  }
  const digest = sha256(text);
  const cached = await readLockCache(root, file, digest);
  if (cached) return { ok: true, value: cached };
  const { parseLock, fragment } = await import('./lock-yaml.ts');
  const parsed = parseLock(text, file);
  if (parsed.ok) await writeLockCache(root, file, digest, parsed.value, fragment);
  return parsed;
}

/** Writes the lock of `profile` atomically; leaves the file (and its mtime) alone when nothing changed. */
export async function writeLock(root: string, lock: LockFile, profile?: string): Promise<void> {
  const file = lockFileOf(profile);
  const path = join(root, file);
  const { serializeLock, fragment } = await import('./lock-yaml.ts');
  const text = serializeLock(lock);
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old === text) return;
  await writeFileAtomic(path, text);
  await writeLockCache(root, file, sha256(text), lock, fragment);
}

/** Names of the profile locks present in `root` (`pipeline.<profile>.lock`), for gc. */
export async function profileLocks(root: string): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  return names.flatMap((n) => {
    const m = /^pipeline\.([A-Za-z0-9_-]+)\.lock$/.exec(n);
    return m?.[1] !== undefined ? [m[1]] : [];
  });
}

/** The lock entry recording a successful run with fingerprint `fp` that produced `outs`. */
export function lockEntryFrom(fp: Fingerprint, outs: OutRecord[]): LockEntry {
  return {
    cmd: fp.cmd,
    ...(fp.wdir !== '' && { wdir: fp.wdir }),
    fingerprint: fp.digest,
    params: fp.params,
    deps: fp.deps,
    code: fp.code,
    runtime: fp.runtime,
    outs,
  };
}

/**
 * Removes from `lock` (in memory) the entries of `names` whose paths or digests cannot be
 * trusted (see `recordProblem`), so that nothing follows their paths; the stage reruns and its
 * new entry replaces the bad one in the file. Returns a warning per entry removed. (Outs that
 * differ from the declared ones are a normal edit: the fingerprint, which covers them, differs.)
 */
export function dropInvalidEntries(lock: LockFile, p: Pipeline, names: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const name of names) {
    const entry = lock.stages[name];
    if (!entry || !p.stages.has(name)) continue;
    const problem = recordProblem(entry);
    if (problem === undefined) continue;
    delete lock.stages[name];
    warnings.push(`${LOCK_FILE}: the entry of stage "${name}" was ignored: ${problem}; the stage will run again.`);
  }
  return warnings;
}
