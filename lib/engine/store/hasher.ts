/**
 * Content hashing with a persistent stat cache: a file whose (dev, ino, size, mtime, ctime)
 * are unchanged since it was last hashed is never read again, across invocations; within
 * one invocation every path is stat'ed and hashed at most once, even under concurrent callers.
 *
 * A no-op run of a large pipeline is thousands of stat-cache hits, so that path is kept
 * synchronous and allocation-light: plain-number stats (no BigInt), no path normalisation of
 * paths that are already normal, no promise unless a file must actually be read.
 */
import { createHash } from 'node:crypto';
import { readdirSync, type Stats, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Sha256 } from '../types.ts';
import { errCode, isSha256, sha256, writeFileAtomic } from './fs-util.ts';
import { type ManifestEntry, serializeManifest } from './manifest.ts';

/** What the hasher knows about an existing path. */
export interface PathInfo {
  kind: 'file' | 'dir';
  /** File: SHA-256 of the bytes. Directory: SHA-256 of its manifest (see manifest.ts). */
  digest: Sha256;
  /** Total bytes (a directory: of all files under it). */
  size: number;
  /** Number of files (1 for a file). */
  files: number;
  /** Files: whether any execute bit is set. */
  executable?: boolean;
}

/** Debug counters, for tests and benchmarks to prove what was (not) read. Reset freely. */
export const hasherStats = { filesRead: 0, bytesRead: 0 };

/** Options of `Hasher`. */
export interface HasherOptions {
  /** Absolute project root; every `rel` path is relative to it. */
  root: string;
  /**
   * A file changed less than this long before it was hashed is not trusted by later
   * invocations (racy timestamps). Default 100 ms; 2 s on file systems with whole-second times.
   */
  racyWindowMs?: number;
}

interface Known {
  /** What `info` hands out (shared: callers treat it as read-only). */
  info: PathInfo;
  /** Directory: its files, paths relative to the directory. */
  entries?: ManifestEntry[];
}

/**
 * Persisted row: dev, ino, size, mtimeMs, ctimeMs (as Node's plain `Stats` give them), digest.
 *
 * Why milliseconds as doubles are exact enough for a cache key: a digest is persisted only when
 * the file's last change lies at least the racy window (≥ 100 ms) before it was read, and any
 * later write sets ctime to the time of that write, which the kernel does not let anyone set
 * back. So a later change moves ctime by at least the racy window, while a double holds a
 * current epoch in ms to a fraction of a microsecond. Nanoseconds would only matter for changes
 * within a timestamp's rounding of the read, and those are never persisted (see `isRacy`).
 * (inode numbers above 2^53 lose low bits the same way; size and ctime still tell files apart.)
 */
type Row = [dev: number, ino: number, size: number, mtimeMs: number, ctimeMs: number, digest: Sha256];

/**
 * Whether a persisted value is a usable row (checked lazily, on first use of each row). The
 * file is only ever written whole by `save`, so the digest's shape is not re-checked char by char.
 */
/** A row's digest goes into fingerprints and pipeline.lock as is, so it must be a real SHA-256. */
function isRow(x: unknown): x is Row {
  return Array.isArray(x) && x.length === 6 && typeof x[0] === 'number' && typeof x[1] === 'number' && typeof x[2] === 'number' && typeof x[3] === 'number' && typeof x[4] === 'number' && isSha256(x[5]);
}

/** Returned by `resolve` while an answer needs I/O that is still in flight. */
type Pending = Promise<Known | undefined>;

const STATE_DIR = '.pipeline/state';
const STAT_FILE = 'stat-cache.json';
const IMPORTS_FILE = 'imports.json';
/** Format of the stat cache (2: numeric stats); the imports cache keeps its own. */
const FORMAT = 2;
/** Format of the imports cache (2: specs include `new URL(…, import.meta.url)` assets). */
const IMPORTS_FORMAT = 2;
const MAX_IMPORT_SPECS = 4096;
/** Concurrent file reads: enough to keep the disk busy, few enough to stay far from EMFILE. */
const READ_LIMIT = 32;

/** Hashes files and directories under a root, remembering what it has seen. */
export class Hasher {
  readonly root: string;
  /**
   * Parsed import specifiers by file digest, for `findCodeDeps`; persisted beside the stat
   * cache by `load`/`save` so unchanged modules are never reparsed.
   */
  private readonly importSpecs = new Map<Sha256, string[]>();
  private readonly importSpecsUsed = new Set<Sha256>();
  private importsDirty = false;
  /** Rows as read from disk, validated on first use (a no-op run touches each once). */
  private persisted: Record<string, unknown> = {};
  /** Rows added, replaced (a Row) or dropped (null) by this invocation. */
  private readonly changedRows = new Map<string, Row | null>();
  private dirty = false;
  /** What this invocation has learnt, by normalised path (undefined: does not exist). */
  private readonly settled = new Map<string, Known | undefined>();
  private readonly inflight = new Map<string, Pending>();
  /** Stats taken by `exists` and not yet used by `resolve` (which takes them over). */
  private readonly stats = new Map<string, Stats | undefined>();
  /** See `HasherOptions.racyWindowMs`. */
  readonly racyWindowMs: number;
  /** `root` with one trailing slash, to build absolute paths by concatenation. */
  private readonly prefix: string;
  private gen = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(opts: HasherOptions) {
    this.root = opts.root;
    this.racyWindowMs = opts.racyWindowMs ?? 100;
    this.prefix = opts.root.endsWith('/') ? opts.root : `${opts.root}/`;
  }

  /** Reads the persistent caches; a missing or corrupt one is treated as empty. */
  async load(): Promise<void> {
    const stats = await readJson(join(this.root, STATE_DIR, STAT_FILE));
    if (isObj(stats) && stats['format'] === FORMAT && isObj(stats['rows'])) this.persisted = stats['rows'];
    const imports = await readJson(join(this.root, STATE_DIR, IMPORTS_FILE));
    if (isObj(imports) && imports['format'] === IMPORTS_FORMAT && isObj(imports['specs'])) {
      for (const [digest, specs] of Object.entries(imports['specs'])) {
        if (Array.isArray(specs) && specs.every((s) => typeof s === 'string')) {
          this.importSpecs.set(digest as Sha256, specs as string[]);
        }
      }
    }
  }

  /** Writes the persistent caches atomically (only when something changed). */
  async save(): Promise<void> {
    if (this.dirty) {
      const merged = new Map<string, Row>();
      for (const k of Object.keys(this.persisted)) {
        const row = this.persisted[k];
        if (!this.changedRows.has(k) && isRow(row)) merged.set(k, row);
      }
      for (const [k, row] of this.changedRows) if (row) merged.set(k, row);
      const rows: Record<string, Row> = {};
      for (const k of [...merged.keys()].sort()) rows[k] = merged.get(k) as Row;
      await writeFileAtomic(join(this.root, STATE_DIR, STAT_FILE), JSON.stringify({ format: FORMAT, rows }));
      this.dirty = false;
    }
    if (this.importsDirty) {
      // Old versions of edited files pile up; past a bound keep only what this run used.
      const keep = this.importSpecs.size > MAX_IMPORT_SPECS ? [...this.importSpecs].filter(([d]) => this.importSpecsUsed.has(d)) : [...this.importSpecs];
      const specs = Object.fromEntries(keep);
      await writeFileAtomic(join(this.root, STATE_DIR, IMPORTS_FILE), JSON.stringify({ format: IMPORTS_FORMAT, specs }));
      this.importsDirty = false;
    }
  }

  /** Parsed imports of a file with this digest, if known. */
  getImportSpecs(digest: Sha256): string[] | undefined {
    const specs = this.importSpecs.get(digest);
    if (specs) this.importSpecsUsed.add(digest);
    return specs;
  }

  /** Records parsed imports of a file digest (persisted by `save`). */
  setImportSpecs(digest: Sha256, specs: string[]): void {
    this.importSpecs.set(digest, specs);
    this.importSpecsUsed.add(digest);
    this.importsDirty = true;
  }

  /** Digest of a file or directory; rejects when the path does not exist. */
  async hashFile(rel: string): Promise<Sha256> {
    const info = await this.info(rel);
    if (!info) throw Object.assign(new Error(`ENOENT: no such file or directory: ${rel}`), { code: 'ENOENT' });
    return info.digest;
  }

  /** Kind, digest, size and file count of a path; undefined when it does not exist. */
  async info(rel: string): Promise<PathInfo | undefined> {
    const k = await this.resolve(normRel(rel));
    return k?.info;
  }

  /**
   * `info` without waiting, when no file has to be read for it (a stat-cache hit, or a path
   * already known in this invocation): the info, or undefined for a missing path. `null` means
   * "ask `info`" — the work it needs has been started.
   */
  peek(rel: string): PathInfo | undefined | null {
    const k = this.resolve(normRel(rel));
    return k instanceof Promise ? null : k?.info;
  }

  /**
   * Whether anything exists at `rel`. The stat is kept for the `info` that usually follows, so
   * a run checking its pipeline's unproduced deps and then hashing them stats each once.
   */
  exists(rel: string): boolean {
    const p = normRel(rel);
    const done = this.settled.get(p);
    if (done !== undefined || this.inflight.has(p)) return true;
    if (this.stats.has(p)) return this.stats.get(p) !== undefined;
    const st = this.stat(p === '' ? this.root : this.prefix + p);
    // A stat-cache hit settles now (what `resolve` would do), so that thousands of Stats are
    // not kept alive until fingerprinting; only what needs I/O keeps its stat for later.
    const k = st?.isFile() ? this.cachedFile(p, st) : undefined;
    if (k) this.settled.set(p, k);
    else this.stats.set(p, st);
    return st !== undefined;
  }

  /** A directory's files (relative to it, sorted); undefined when `rel` is not a directory. */
  async manifest(rel: string): Promise<ManifestEntry[] | undefined> {
    const k = await this.resolve(normRel(rel));
    return k?.info.kind === 'dir' ? k.entries : undefined;
  }

  /** Bumped by every `invalidate`, so memos built on top of this hasher know when to drop. */
  get generation(): number {
    return this.gen;
  }

  /** Forgets what this invocation learnt about `rel`, everything under it and every directory above it. */
  invalidate(rel: string): void {
    this.gen++;
    const p = normRel(rel);
    if (p === '') {
      this.settled.clear();
      this.inflight.clear();
      this.stats.clear();
      return;
    }
    const stale = (key: string) => key === p || key.startsWith(`${p}/`) || key === '' || p.startsWith(`${key}/`);
    for (const memo of [this.settled, this.inflight, this.stats]) {
      for (const key of [...memo.keys()]) if (stale(key)) memo.delete(key);
    }
  }

  /**
   * What is known of a normalised path: synchronously when a stat answers it, else a promise
   * that is shared with every concurrent caller until it settles.
   */
  private resolve(rel: string): Known | undefined | Pending {
    const done = this.settled.get(rel);
    if (done !== undefined || this.settled.has(rel)) return done;
    const running = this.inflight.get(rel);
    if (running) return running;
    const abs = rel === '' ? this.root : this.prefix + rel;
    let st: Stats | undefined;
    if (this.stats.has(rel)) {
      st = this.stats.get(rel);
      this.stats.delete(rel);
    } else st = this.stat(abs);
    if (!st || !(st.isFile() || st.isDirectory())) {
      if (st === undefined) this.setRow(rel, null);
      this.settled.set(rel, undefined);
      return undefined;
    }
    if (st.isFile()) {
      const k = this.cachedFile(rel, st);
      if (k) {
        this.settled.set(rel, k);
        return k;
      }
    }
    const p: Pending = st.isFile() ? this.hashInto(rel, abs, st) : this.computeDir(rel, abs);
    this.inflight.set(rel, p);
    // Only the promise still registered may settle: an `invalidate` in between dropped it.
    void p.then(
      (k) => {
        if (this.inflight.get(rel) !== p) return;
        this.inflight.delete(rel);
        this.settled.set(rel, k);
      },
      () => {
        if (this.inflight.get(rel) === p) this.inflight.delete(rel);
      },
    );
    return p;
  }

  /**
   * Metadata calls are synchronous on purpose: a warm stat costs microseconds, while a
   * thread-pool round trip costs tens of them, and a no-op run is thousands of stats.
   */
  private stat(abs: string): Stats | undefined {
    try {
      return statSync(abs, { throwIfNoEntry: false });
    } catch (e) {
      if (errCode(e) !== 'ENOTDIR') throw e;
      return undefined;
    }
  }

  /** The file's Known from the stat cache, when its row matches the stat. */
  private cachedFile(rel: string, st: Stats): Known | undefined {
    const row = this.row(rel);
    if (row && row[0] === st.dev && row[1] === st.ino && row[2] === st.size && row[3] === st.mtimeMs && row[4] === st.ctimeMs) return fileKnown(row[5], st);
    return undefined;
  }

  private row(rel: string): Row | undefined {
    const changed = this.changedRows.get(rel);
    if (changed !== undefined) return changed ?? undefined;
    const row = Object.hasOwn(this.persisted, rel) ? this.persisted[rel] : undefined;
    return isRow(row) ? row : undefined;
  }

  private setRow(rel: string, row: Row | null): void {
    if (row === null && this.row(rel) === undefined) return;
    this.changedRows.set(rel, row);
    this.dirty = true;
  }

  private async computeDir(rel: string, abs: string): Promise<Known> {
    const names = readdirSync(abs).sort();
    const children = await Promise.all(names.map(async (name) => ({ name, k: await this.resolve(rel === '' ? name : `${rel}/${name}`) })));
    const entries: ManifestEntry[] = [];
    let size = 0;
    for (const { name, k } of children) {
      if (!k) continue;
      size += k.info.size;
      if (k.info.kind === 'file') entries.push({ path: name, digest: k.info.digest, mode: k.info.executable ? 0o755 : 0o644 });
      else for (const e of k.entries ?? []) entries.push({ ...e, path: `${name}/${e.path}` });
    }
    const digest = sha256(serializeManifest(entries));
    return { info: { kind: 'dir', digest, size, files: entries.length }, entries };
  }

  /** Reads and hashes a file whose stat missed the cache; persists the digest when safe. */
  private async hashInto(rel: string, abs: string, st: Stats): Promise<Known | undefined> {
    await this.acquire();
    let digest: Sha256;
    // Wall clock before the first byte is read: any change after it must look "recent".
    const startMs = Date.now();
    try {
      digest = (await hashPath(abs, st.size)).digest;
    } catch (e) {
      // Gone between the stat and the read: as if the stat had not found it.
      if (errCode(e) === 'ENOENT') return undefined;
      throw e;
    } finally {
      this.release();
    }
    const after = statSync(abs, { throwIfNoEntry: false });
    const unchanged = after !== undefined && after.ino === st.ino && after.size === st.size && after.mtimeMs === st.mtimeMs && after.ctimeMs === st.ctimeMs;
    if (unchanged && !this.isRacy(st, startMs)) this.setRow(rel, [st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs, digest]);
    else this.setRow(rel, null);
    return fileKnown(digest, st);
  }

  /**
   * A file whose last change lies within the timestamp granularity of the moment we read it
   * could change again without its stat changing; such a digest is used now but not persisted.
   */
  private isRacy(st: Stats, startMs: number): boolean {
    // Whole seconds are exact in a double, so this tells file systems with coarse timestamps.
    const coarse = st.mtimeMs % 1000 === 0 && st.ctimeMs % 1000 === 0;
    const window = coarse ? 2000 : this.racyWindowMs;
    return Math.max(st.mtimeMs, st.ctimeMs) + window >= startMs;
  }

  private async acquire(): Promise<void> {
    if (this.active < READ_LIMIT) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** Known of a file from its digest and stat. */
function fileKnown(digest: Sha256, st: Stats): Known {
  return { info: { kind: 'file', digest, size: st.size, files: 1, executable: (st.mode & 0o111) !== 0 } };
}

/** Anything that `posix.normalize` or the trimming below would change. */
const NOT_NORMAL = /\\|\/\/|(?:^|\/)\.\.?(?:\/|$)|\/$/;

/** Normalises a root-relative path to the canonical POSIX form ('' for the root). */
export function normRel(rel: string): string {
  // Paths from a loaded pipeline are normal already; most calls end here.
  if (rel !== '' && !NOT_NORMAL.test(rel)) return rel;
  const p = posix.normalize(rel.replaceAll('\\', '/'));
  if (p === '.' || p === './') return '';
  return p.replace(/^\.\//, '').replace(/\/+$/, '');
}

const SMALL = 1 << 20;
const CHUNK = 4 << 20;

/**
 * SHA-256 of a file's bytes. Large files are read in big chunks with the next read in flight
 * while the current chunk is hashed, so disk and CPU overlap.
 */
export async function hashPath(abs: string, sizeHint?: number): Promise<{ digest: Sha256; bytes: number }> {
  const fh = await open(abs, 'r');
  try {
    const h = createHash('sha256');
    // One read for small files; the +1 tells "exactly sizeHint bytes" from "grew since stat".
    const firstLen = sizeHint !== undefined && sizeHint < SMALL ? sizeHint + 1 : SMALL;
    const first = Buffer.allocUnsafe(firstLen);
    let { bytesRead } = await fh.read(first, 0, firstLen, 0);
    let pos = bytesRead;
    h.update(first.subarray(0, bytesRead));
    if (bytesRead === firstLen) {
      const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] as const;
      let i = 0;
      let pending = fh.read(bufs[0], 0, CHUNK, pos);
      for (;;) {
        ({ bytesRead } = await pending);
        if (bytesRead === 0) break;
        const cur = bufs[i as 0 | 1];
        pos += bytesRead;
        i ^= 1;
        pending = fh.read(bufs[i as 0 | 1], 0, CHUNK, pos);
        h.update(cur.subarray(0, bytesRead));
      }
    }
    hasherStats.filesRead++;
    hasherStats.bytesRead += pos;
    return { digest: h.digest('hex') as Sha256, bytes: pos };
  } finally {
    await fh.close();
  }
}

/** Hashes one file and reports bytes and milliseconds, for the hashing benchmark. */
export async function hashThroughput(file: string): Promise<{ bytes: number; ms: number; mibPerS: number }> {
  const t0 = performance.now();
  const { bytes } = await hashPath(file);
  const ms = performance.now() - t0;
  return { bytes, ms, mibPerS: bytes / 1048576 / (ms / 1000) };
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function isObj(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
