/**
 * A metrics file as it was at a git revision. Metrics are outs, and outs are usually
 * git-ignored, so `git show REV:reports/x/metrics.json` finds nothing; what the revision does
 * commit is the lock file, which names each out's content digest. The content then comes from
 * the local object store. A file committed to git itself (no lock entry) is read from git.
 */
import { readFile } from 'node:fs/promises';
import type { LockFile, Sha256 } from './types.ts';
import { gitShow } from './git.ts';
import { ObjectStore, readManifest } from './store/cache.ts';
import { LOCK_FILE, lockFileOf } from './store/lock-name.ts';
import { parseMetricsText, type MetricsFile } from './metrics.ts';

/** The lock committed at `rev` (the profile's own, else pipeline.lock); undefined when none. */
export async function readRevLock(root: string, rev: string, profile?: string): Promise<{ file: string; lock: LockFile } | undefined> {
  for (const file of profile === undefined ? [LOCK_FILE] : [lockFileOf(profile), LOCK_FILE]) {
    const text = await gitShow(root, rev, file);
    if (text === undefined) continue;
    const { parseLock } = await import('./store/lock-yaml.ts');
    const parsed = parseLock(text);
    // A lock that does not parse at that revision records nothing usable: as if absent.
    if (parsed.ok) return { file, lock: parsed.value };
  }
  return undefined;
}

/** The digest the lock records for `path`: a file out itself, or a file inside a directory out. */
async function digestOf(lock: LockFile, stage: string, path: string, store: ObjectStore): Promise<Sha256 | { missing: Sha256 } | undefined> {
  const outs = lock.stages[stage]?.outs ?? [];
  const file = outs.find((o) => o.kind === 'file' && o.path === path);
  if (file) return file.digest;
  const dir = outs.find((o) => o.kind === 'dir' && path.startsWith(`${o.path}/`));
  if (!dir) return undefined;
  const entries = await readManifest(store, dir.digest);
  if (!entries) return { missing: dir.digest };
  return entries.find((e) => e.path === path.slice(dir.path.length + 1))?.digest;
}

/**
 * The metrics files `files` (stage and path) as recorded at `rev`. Each file either has its
 * values or an `error` saying why not (not recorded there, object absent from this cache).
 */
export async function metricsAtRev(root: string, rev: string, files: { stage: string; path: string }[], profile?: string): Promise<MetricsFile[]> {
  const found = await readRevLock(root, rev, profile);
  const store = new ObjectStore(root);
  const out: MetricsFile[] = [];
  for (const { stage, path } of files) {
    const digest = found ? await digestOf(found.lock, stage, path, store) : undefined;
    let text: string | undefined;
    let error: string | undefined;
    if (digest === undefined) {
      text = await gitShow(root, rev, path);
      if (text === undefined) error = `not recorded at ${rev} (${found ? `${found.file} has no entry for it` : 'no lock file committed there'})`;
    } else {
      const d = typeof digest === 'string' ? digest : digest.missing;
      text = await readFile(store.path(d), 'utf8').catch(() => undefined);
      if (text === undefined) error = `recorded at ${rev} as ${d.slice(0, 12)}…, but that object is not in the local cache (run the pipeline at ${rev}, or use a cache that has it)`;
    }
    if (text === undefined) {
      out.push({ stage, path, values: {}, error: error ?? 'unavailable' });
      continue;
    }
    try {
      out.push({ stage, path, values: parseMetricsText(path, text) });
    } catch (e) {
      out.push({ stage, path, values: {}, error: `malformed at ${rev}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return out;
}
