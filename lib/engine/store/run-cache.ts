/**
 * The run-cache: one JSON file per successful run, keyed by fingerprint
 * (`.pipeline/cache/runs/<fingerprint>.json`), so a stage whose inputs return to an earlier
 * state is restored instead of rerun.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockEntry, Sha256 } from '../types.ts';
import { isSha256, writeFileAtomic } from './fs-util.ts';

/** Where run records live, relative to the project root. */
export const RUNS_DIR = '.pipeline/cache/runs';

/** One stored run record as `list` reports it. */
export interface RunCacheItem {
  fingerprint: Sha256;
  /** Last write, for oldest-first eviction. */
  mtimeMs: number;
  /** Size of the record file itself. */
  size: number;
  /** Undefined when the record is unreadable or malformed. */
  entry: LockEntry | undefined;
}

/** Earlier successful runs by fingerprint. */
export class RunCache {
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, RUNS_DIR);
  }

  /** The run recorded under `fp`; undefined when absent, unreadable or corrupt. */
  async get(fp: Sha256): Promise<LockEntry | undefined> {
    if (!isSha256(fp)) return undefined;
    try {
      const entry = parseEntry(JSON.parse(await readFile(this.file(fp), 'utf8')));
      return entry?.fingerprint === fp ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records a successful run (atomically; a rerun with the same fingerprint overwrites). */
  async put(entry: LockEntry): Promise<void> {
    await writeFileAtomic(this.file(entry.fingerprint), `${JSON.stringify(entry)}\n`);
  }

  /** Every record, oldest first. */
  async list(): Promise<RunCacheItem[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const items: RunCacheItem[] = [];
    for (const name of names) {
      const fp = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !isSha256(fp)) continue;
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (!st?.isFile()) continue;
      items.push({ fingerprint: fp, mtimeMs: st.mtimeMs, size: st.size, entry: await this.get(fp) });
    }
    return items.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.fingerprint < b.fingerprint ? -1 : 1));
  }

  /** Deletes the record of `fp`. */
  async remove(fp: Sha256): Promise<void> {
    await rm(this.file(fp), { force: true });
  }

  private file(fp: Sha256): string {
    return join(this.dir, `${fp}.json`);
  }
}

/** Shape check of a stored record: enough that callers may trust its fields' types. */
function parseEntry(x: unknown): LockEntry | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const e = x as Record<string, unknown>;
  const maps = [e.params, e.deps, e.code, e.runtime].every((m) => m !== null && typeof m === 'object' && !Array.isArray(m));
  if (typeof e.cmd !== 'string' || !isSha256(e.fingerprint) || !maps || !Array.isArray(e.outs)) return undefined;
  const outsOk = e.outs.every((o: unknown) => {
    const r = o as Record<string, unknown> | null;
    return r !== null && typeof r === 'object' && typeof r.path === 'string' && (r.kind === 'file' || r.kind === 'dir') && isSha256(r.digest) && typeof r.size === 'number';
  });
  return outsOk ? (e as unknown as LockEntry) : undefined;
}
