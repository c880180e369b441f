/**
 * Garbage collection of `.pipeline/cache`: objects the lock refers to, or any file under
 * `.pipeline/cache/roots/` lists (one digest a line: how another tool, such as the model
 * registry, keeps its objects without the engine knowing it), always stay; run
 * records go oldest-first while the cache is over its size bound; then every object that
 * no remaining lock entry or run record refers to is deleted.
 */
import { readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockEntry, LockFile, Sha256 } from '../types.ts';
import { isSha256, sweepDeadTemps } from './fs-util.ts';
import { ObjectStore, readManifest } from './cache.ts';
import { RunCache } from './run-cache.ts';
import { cacheDir, sharedCacheDir } from './cache-dir.ts';

/** Options of `gc`. */
export interface GcOptions {
  /** Bound on objects + run records, in bytes; absent = drop no run records. */
  maxSizeBytes?: number;
  /** The lock whose objects must survive (normally the current pipeline.lock). */
  keep: LockFile;
  /** pipeline.yaml's `cache.dir`, if any (see cache-dir.ts). */
  configuredCache?: string;
}

/** What `gc` did. */
export interface GcResult {
  removedObjects: number;
  freedBytes: number;
  keptBytes: number;
  removedRuns: number;
}

/**
 * Temp files named by an older version (without their owner's start time) and younger than
 * this may belong to a run in progress and are left alone; newer ones name their owner and go
 * as soon as it is dead (`sweepDeadTemps`).
 */
const STALE_TMP_MS = 60 * 60 * 1000;
/** In a shared cache, objects younger than this are kept: another checkout may be mid-commit. */
const SHARED_GRACE_MS = 60 * 60 * 1000;

/** Collects garbage in the project's cache; see the module comment for the policy. */
export async function gc(root: string, opts: GcOptions): Promise<GcResult> {
  const cache = cacheDir(root, opts.configuredCache);
  const store = new ObjectStore(root, cache);
  const runs = new RunCache(root, undefined, cache);
  // A shared cache is written by runs of other checkouts, perhaps on other machines: their temp
  // files name pids that mean nothing here (only old ones go, below), and an object stored a
  // moment ago may be one whose run record is about to be written, so young objects stay.
  const shared = sharedCacheDir(root, opts.configuredCache) !== undefined;
  if (!shared) await sweepDeadTemps(store.dir);
  const { objects, staleTmp, young } = await listObjects(store.dir, shared ? SHARED_GRACE_MS : 0);
  const sizeOf = (d: Sha256): number => objects.get(d) ?? 0;

  const pinned = new Set<Sha256>();
  for (const entry of Object.values(opts.keep.stages)) for (const d of await refsOf(entry, store)) pinned.add(d);
  for (const d of await extraRoots(root)) pinned.add(d);

  let removedRuns = 0;
  const live: { fingerprint: Sha256; size: number; refs: Sha256[] }[] = [];
  for (const item of await runs.list()) {
    if (!item.entry) {
      await runs.remove(item.fingerprint);
      removedRuns++;
      continue;
    }
    live.push({ fingerprint: item.fingerprint, size: item.size, refs: [...(await refsOf(item.entry, store))] });
  }

  const count = new Map<Sha256, number>();
  let total = 0;
  for (const d of pinned) total += sizeOf(d);
  for (const run of live) {
    total += run.size;
    for (const d of run.refs) {
      const n = count.get(d) ?? 0;
      if (n === 0 && !pinned.has(d)) total += sizeOf(d);
      count.set(d, n + 1);
    }
  }
  // `live` is oldest first.
  while (opts.maxSizeBytes !== undefined && total > opts.maxSizeBytes && live.length > 0) {
    const run = live.shift() as (typeof live)[number];
    await runs.remove(run.fingerprint);
    removedRuns++;
    total -= run.size;
    for (const d of run.refs) {
      const n = (count.get(d) ?? 0) - 1;
      count.set(d, n);
      if (n === 0 && !pinned.has(d)) total -= sizeOf(d);
    }
  }

  let removedObjects = 0;
  let freedBytes = 0;
  let keptBytes = 0;
  for (const [d, size] of objects) {
    if (pinned.has(d) || (count.get(d) ?? 0) > 0 || young.has(d)) {
      keptBytes += size;
      continue;
    }
    await store.remove(d);
    removedObjects++;
    freedBytes += size;
  }
  for (const tmp of staleTmp) await rm(tmp, { recursive: true, force: true });
  await pruneEmptyDirs(store.dir);
  return { removedObjects, freedBytes, keptBytes, removedRuns };
}

/** Where other tools list the objects they keep, relative to the root. */
export const ROOTS_DIR = '.pipeline/cache/roots';

/** Every digest listed in a file of `ROOTS_DIR` (lines that are not a digest are ignored). */
async function extraRoots(root: string): Promise<Set<Sha256>> {
  const out = new Set<Sha256>();
  const dir = join(root, ROOTS_DIR);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.') || name.endsWith('.tmp')) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (isSha256(line.trim())) out.add(line.trim() as Sha256);
  }
  return out;
}

/** Objects an entry needs: its outs, and for directories the manifest's files too. */
async function refsOf(entry: LockEntry, store: ObjectStore): Promise<Set<Sha256>> {
  const refs = new Set<Sha256>();
  for (const out of entry.outs) {
    refs.add(out.digest);
    if (out.kind === 'dir') for (const e of (await readManifest(store, out.digest)) ?? []) refs.add(e.digest);
  }
  return refs;
}

async function listObjects(dir: string, graceMs: number): Promise<{ objects: Map<Sha256, number>; staleTmp: string[]; young: Set<Sha256> }> {
  const objects = new Map<Sha256, number>();
  const young = new Set<Sha256>();
  const staleTmp: string[] = [];
  const now = Date.now();
  for (const sub of await readdir(dir).catch(() => [] as string[])) {
    const subPath = join(dir, sub);
    if (sub.startsWith('.tmp-')) {
      const st = await stat(subPath).catch(() => undefined);
      if (st && now - st.mtimeMs > STALE_TMP_MS) staleTmp.push(subPath);
      continue;
    }
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    for (const name of await readdir(subPath).catch(() => [] as string[])) {
      const d = sub + name;
      if (!isSha256(d)) continue;
      const st = await stat(join(subPath, name)).catch(() => undefined);
      if (st?.isFile()) objects.set(d, st.size);
      if (st && graceMs > 0 && now - st.mtimeMs < graceMs) young.add(d);
    }
  }
  return { objects, staleTmp, young };
}

async function pruneEmptyDirs(dir: string): Promise<void> {
  for (const sub of await readdir(dir).catch(() => [] as string[])) {
    if (/^[0-9a-f]{2}$/.test(sub)) await rmdir(join(dir, sub)).catch(() => undefined);
  }
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a size such as `500M`, `2G`, `1.5GiB`, `64k` or `1024` (bytes) into bytes;
 * units are binary (K = 1024). Undefined when the text is not a size.
 */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}
