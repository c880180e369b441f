/**
 * A parsed copy of pipeline.lock in `.pipeline/state/lock-cache.jsonl`, keyed by the digest
 * of the lock's text: parsing a 500-stage YAML lock costs more than the rest of a no-op run,
 * parsing JSON almost nothing. One line per stage, each line memoised per entry object, so
 * rewriting the cache after every stage of a run costs a string join, not a re-serialisation.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockEntry, LockFile, OutRecord } from '../types.ts';
import { isSha256, writeFileAtomic } from './fs-util.ts';
import { LOCK_FILE } from './lock-name.ts';

export { LOCK_FILE, lockFileOf } from './lock-name.ts';

/** Each lock file has its own parsed copy (a profile run must not evict the default one). */
function cacheFileOf(lockFile: string): string {
  return lockFile === LOCK_FILE ? '.pipeline/state/lock-cache.jsonl' : `.pipeline/state/lock-cache.${lockFile}.jsonl`;
}
const FORMAT = 2;
/**
 * Each entry's YAML text, by entry object: `run` rewrites the lock after every stage, and
 * re-emitting hundreds of unchanged entries each time would cost more than the stages.
 * Entries are therefore treated as immutable (lockEntryFrom builds a new one per run).
 */
export const fragments = new WeakMap<LockEntry, { name: string; text: string }>();
/** Cache line per entry object (entries are immutable once built). */
const lines = new WeakMap<LockEntry, { name: string; line: string }>();

/** The cached lock, if the cache matches `textDigest`; its entries' YAML fragments are remembered. */
export async function readLockCache(root: string, lockFile: string, textDigest: string): Promise<LockFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, cacheFileOf(lockFile)), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const rows = text.split('\n');
    const head = JSON.parse(rows[0] ?? '') as { format?: unknown; text?: unknown };
    if (head.format !== FORMAT || head.text !== textDigest) return undefined;
    const stages: Record<string, LockEntry> = {};
    const found = new Map<LockEntry, { name: string; text: string }>();
    for (const line of rows.slice(1)) {
      if (line === '') continue;
      const [name, entry, yaml] = JSON.parse(line) as [unknown, LockEntry, unknown];
      if (typeof name !== 'string' || typeof yaml !== 'string' || !isSha256(entry?.fingerprint) || !Array.isArray(entry.outs)) return undefined;
      // The same digests the YAML parser insists on: a damaged cache means parsing the lock again.
      if (!digestsOk(entry)) return undefined;
      stages[name] = entry;
      found.set(entry, { name, text: yaml });
      lines.set(entry, { name, line });
    }
    // Only a wholly valid cache is used, so fragments are remembered at the end.
    for (const [e, f] of found) fragments.set(e, f);
    return { schema: 1, stages };
  } catch {
    return undefined;
  }
}

/** Records `lock` as the parse of the lock text with digest `textDigest`. Best effort. */
export async function writeLockCache(root: string, lockFile: string, textDigest: string, lock: LockFile, fragmentOf: (name: string, e: LockEntry) => string): Promise<void> {
  const body = Object.keys(lock.stages)
    .sort()
    .map((name) => {
      const e = lock.stages[name] as LockEntry;
      const known = lines.get(e);
      if (known?.name === name) return known.line;
      const line = JSON.stringify([name, { ...e, outs: [...e.outs].sort(byPath) }, fragmentOf(name, e)]);
      lines.set(e, { name, line });
      return line;
    });
  const text = `${JSON.stringify({ format: FORMAT, text: textDigest })}\n${body.map((l) => `${l}\n`).join('')}`;
  // Only an optimisation: a read-only .pipeline must not break the lock.
  await writeFileAtomic(join(root, cacheFileOf(lockFile)), text).catch(() => undefined);
}

function digestsOk(e: LockEntry): boolean {
  const maps = [e.deps, e.code];
  return maps.every((m) => m !== null && typeof m === 'object' && Object.values(m).every(isSha256)) && e.outs.every((o) => isSha256(o?.digest) && typeof o.path === 'string');
}

function byPath(a: OutRecord, b: OutRecord): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
