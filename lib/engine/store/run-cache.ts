/**
 * The run-cache: one JSON file per successful run, keyed by fingerprint
 * (`.pipeline/cache/runs/<fingerprint>.json`), so a stage whose inputs return to an earlier
 * state is restored instead of rerun.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockEntry, Sha256 } from '../types.ts';
import { isMode, isSha256, writeFileAtomic } from './fs-util.ts';
import { isSafeRelPath } from './manifest.ts';
import { cacheDir } from './cache-dir.ts';

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

  /** `onInvalid` hears of every record that was found invalid and removed. */
  constructor(
    root: string,
    private readonly onInvalid?: (message: string) => void,
    /** The cache directory (see cache-dir.ts); the object store beside these records lives there too. */
    readonly cache = cacheDir(root),
  ) {
    this.dir = join(cache, 'runs');
  }

  /**
   * The run recorded under `fp`; undefined when absent, unreadable or invalid. With `declared`
   * (the stage's outs), a record must describe exactly those outs: its paths are written to on
   * restore, so a record that names others (a shared cache, a forged file) is never followed;
   * it is removed, and `onInvalid` told why.
   */
  async get(fp: Sha256, declared?: readonly string[]): Promise<LockEntry | undefined> {
    if (!isSha256(fp)) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.file(fp), 'utf8'));
    } catch {
      return undefined;
    }
    const entry = parseEntry(raw);
    const problem = entry === undefined ? 'it is not a well-formed run record' : entry.fingerprint !== fp ? 'it records another fingerprint' : recordProblem(entry, declared);
    if (problem === undefined) return entry;
    await this.remove(fp);
    this.onInvalid?.(`Run-cache record ${fp.slice(0, 12)}… was ignored and removed: ${problem}.`);
    return undefined;
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

/**
 * Why a lock entry or run record cannot be trusted for a stage declaring `declared` (when
 * given): an out path that is not a plain relative path inside the project, a malformed
 * digest, or outs other than the declared ones. Undefined when it can be used.
 */
export function recordProblem(entry: LockEntry, declared?: readonly string[]): string | undefined {
  for (const o of entry.outs) {
    if (!isSafeRelPath(o.path)) return `out path ${JSON.stringify(o.path)} does not stay inside the project`;
    if (!isSha256(o.digest)) return `out "${o.path}" has a malformed digest`;
    if (o.mode !== undefined && !isMode(o.mode)) return `out "${o.path}" has malformed permission bits`;
    for (const [p, m] of Object.entries(o.modes ?? {})) {
      if (!isSafeRelPath(p) || !isMode(m)) return `out "${o.path}" records permission bits for ${JSON.stringify(p)} that cannot be used`;
    }
  }
  if (declared === undefined) return undefined;
  const want = [...new Set(declared)].sort();
  const have = entry.outs.map((o) => o.path).sort();
  if (want.length !== have.length || want.some((p, i) => p !== have[i])) {
    return `its outs (${have.join(', ') || 'none'}) are not the stage's declared outs (${want.join(', ') || 'none'})`;
  }
  return undefined;
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
