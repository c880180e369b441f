/**
 * Small file-system helpers shared by the store: atomic writes, canonical JSON, digests of
 * in-memory bytes. Kept here so every module writes files the same crash-safe way.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Sha256 } from '../types.ts';
import { pidAlive, readStat } from '../exec/proc.ts';

/** SHA-256 of a string or bytes, as a branded digest. */
export function sha256(data: string | Uint8Array): Sha256 {
  return createHash('sha256').update(data).digest('hex') as Sha256;
}

/** True for a 64-hex-digit lowercase string. */
export function isSha256(s: unknown): s is Sha256 {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}

/** True for permission bits as a lock records them: three octal digits ("600"). */
export function isMode(s: unknown): s is string {
  return typeof s === 'string' && /^[0-7]{3}$/.test(s);
}

/**
 * JSON with object keys sorted at every depth, so equal values always serialise to equal
 * text (fingerprints and lock comparisons depend on it). `undefined` members are dropped as
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** A deep copy of `value` whose object keys are in sorted order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * This process as temp names carry it: pid and start time (clock ticks since boot, `x` where
 * /proc is missing), so that a later process can tell a dead owner's temp files from those of a
 * live process that happens to reuse the pid.
 */
let owner: string | undefined;
const ownerToken = (): string => (owner ??= `${process.pid}-${readStat(process.pid)?.startTicks ?? 'x'}`);
const TMP_NAME = /^\.tmp-(\d+)-(\d+|x)-/;

/**
 * A unique temp name beside `path` (same directory, so a rename is atomic):
 * `.tmp-<pid>-<start ticks>-<random>`. A process killed mid-write leaves it behind;
 * `sweepDeadTemps` removes it.
 */
export function tmpPathBeside(path: string): string {
  return join(dirname(path), `.tmp-${ownerToken()}-${randomBytes(6).toString('hex')}`);
}

/** Whether the process that named a temp file `name` (see `tmpPathBeside`) is gone. */
function ownerDead(name: string): boolean {
  const m = TMP_NAME.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  if (!pidAlive(pid)) return true;
  const ticks = readStat(pid)?.startTicks;
  return m[2] !== 'x' && ticks !== undefined && ticks !== m[2];
}

/**
 * Removes the temp files and directories in `dir` (not below it) whose owner process is dead:
 * the halves of interrupted copies, restores and atomic writes. Those of live processes stay.
 * Returns how many were removed; a missing `dir` has none.
 */
export async function sweepDeadTemps(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const dead = names.filter((n) => n.startsWith('.tmp-') && ownerDead(n));
  await Promise.all(dead.map((n) => rm(join(dir, n), { recursive: true, force: true })));
  return dead.length;
}

/**
 * Writes `data` to `path` atomically: a reader sees the old file or the new one, never a
 * torn write, even if the process dies midway.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpPathBeside(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Node's error code of a thrown value, if any (`ENOENT`…). */
export function errCode(e: unknown): string | undefined {
  return e !== null && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}
