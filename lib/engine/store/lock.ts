/**
 * pipeline.lock: what last ran, per stage. Deterministic YAML (sorted stage names, fixed key
 * order) so that it diffs cleanly in git; malformed files become located diagnostics.
 *
 * A no-op run reads the lock from its parsed copy (lock-cache.ts) and never loads `yaml`;
 * parsing and writing live in lock-yaml.ts, imported on demand.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fingerprint, LockEntry, LockFile, OutRecord, Pipeline, Result } from '../types.ts';
import { errCode, sha256, writeFileAtomic } from './fs-util.ts';
import { fromErrno } from '../errors.ts';
import { LOCK_FILE, readLockCache, writeLockCache } from './lock-cache.ts';
import { recordProblem } from './run-cache.ts';

export { LOCK_FILE };

/** Reads pipeline.lock; a missing file is an empty lock, a malformed one located diagnostics. */
export async function readLock(root: string): Promise<Result<LockFile>> {
  let text: string;
  try {
    text = await readFile(join(root, LOCK_FILE), 'utf8');
  } catch (e) {
    if (errCode(e) === 'ENOENT') return { ok: true, value: { schema: 1, stages: {} } };
    throw fromErrno(e, { path: join(root, LOCK_FILE), base: root }) ?? e;
  }
  const digest = sha256(text);
  const cached = await readLockCache(root, digest);
  if (cached) return { ok: true, value: cached };
  const { parseLock, fragment } = await import('./lock-yaml.ts');
  const parsed = parseLock(text);
  if (parsed.ok) await writeLockCache(root, digest, parsed.value, fragment);
  return parsed;
}

/** Writes pipeline.lock atomically; leaves the file (and its mtime) alone when nothing changed. */
export async function writeLock(root: string, lock: LockFile): Promise<void> {
  const path = join(root, LOCK_FILE);
  const { serializeLock, fragment } = await import('./lock-yaml.ts');
  const text = serializeLock(lock);
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old === text) return;
  await writeFileAtomic(path, text);
  await writeLockCache(root, sha256(text), lock, fragment);
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
