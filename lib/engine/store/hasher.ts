/**
 * Content hashing with a persistent stat cache: a file whose (dev, ino, size, mtime, ctime)
 * are unchanged since it was last hashed is never read again, across invocations; within
 * one invocation every path is hashed at most once, even under concurrent callers.
 */
import { createHash } from 'node:crypto';
import { type BigIntStats, readdirSync, statSync } from 'node:fs';
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

interface Known extends PathInfo {
  /** Directory: its files, paths relative to the directory. */
  entries?: ManifestEntry[];
}

/** Persisted row: dev, ino, size, mtimeNs, ctimeNs (as decimal strings), digest. */
type Row = [string, string, string, string, string, Sha256];

const STATE_DIR = '.pipeline/state';
const STAT_FILE = 'stat-cache.json';
const IMPORTS_FILE = 'imports.json';
const FORMAT = 1;
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
  private readonly rows = new Map<string, Row>();
  private dirty = false;
  private readonly memo = new Map<string, Promise<Known | undefined>>();
  private readonly racyWindowNs: bigint;
  private gen = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(opts: HasherOptions) {
    this.root = opts.root;
    this.racyWindowNs = BigInt(Math.round((opts.racyWindowMs ?? 100) * 1e6));
  }

  /** Reads the persistent caches; a missing or corrupt one is treated as empty. */
  async load(): Promise<void> {
    const stats = await readJson(join(this.root, STATE_DIR, STAT_FILE));
    if (isObj(stats) && stats.format === FORMAT && isObj(stats.rows)) {
      for (const [rel, row] of Object.entries(stats.rows)) {
        if (Array.isArray(row) && row.length === 6 && row.every((x) => typeof x === 'string') && isSha256(row[5])) {
          this.rows.set(rel, row as Row);
        }
      }
    }
    const imports = await readJson(join(this.root, STATE_DIR, IMPORTS_FILE));
    if (isObj(imports) && imports.format === FORMAT && isObj(imports.specs)) {
      for (const [digest, specs] of Object.entries(imports.specs)) {
        if (Array.isArray(specs) && specs.every((s) => typeof s === 'string')) {
          this.importSpecs.set(digest as Sha256, specs as string[]);
        }
      }
    }
  }

  /** Writes the persistent caches atomically (only when something changed). */
  async save(): Promise<void> {
    if (this.dirty) {
      const rows: Record<string, Row> = {};
      for (const k of [...this.rows.keys()].sort()) rows[k] = this.rows.get(k) as Row;
      await writeFileAtomic(join(this.root, STATE_DIR, STAT_FILE), JSON.stringify({ format: FORMAT, rows }));
      this.dirty = false;
    }
    if (this.importsDirty) {
      // Old versions of edited files pile up; past a bound keep only what this run used.
      const keep = this.importSpecs.size > MAX_IMPORT_SPECS ? [...this.importSpecs].filter(([d]) => this.importSpecsUsed.has(d)) : [...this.importSpecs];
      const specs = Object.fromEntries(keep);
      await writeFileAtomic(join(this.root, STATE_DIR, IMPORTS_FILE), JSON.stringify({ format: FORMAT, specs }));
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
    const k = await this.known(normRel(rel));
    return k && { kind: k.kind, digest: k.digest, size: k.size, files: k.files, ...(k.kind === 'file' && { executable: k.executable === true }) };
  }

  /** A directory's files (relative to it, sorted); undefined when `rel` is not a directory. */
  async manifest(rel: string): Promise<ManifestEntry[] | undefined> {
    const k = await this.known(normRel(rel));
    return k?.kind === 'dir' ? k.entries : undefined;
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
      this.memo.clear();
      return;
    }
    for (const key of [...this.memo.keys()]) {
      if (key === p || key.startsWith(`${p}/`) || key === '' || p.startsWith(`${key}/`)) this.memo.delete(key);
    }
  }

  private known(rel: string): Promise<Known | undefined> {
    let p = this.memo.get(rel);
    if (!p) {
      p = this.compute(rel);
      this.memo.set(rel, p);
    }
    return p;
  }

  private async compute(rel: string): Promise<Known | undefined> {
    const abs = join(this.root, rel);
    // Metadata calls are synchronous on purpose: a warm stat costs microseconds, while a
    // thread-pool round trip costs tens of them, and a no-op run is thousands of stats.
    let st: BigIntStats | undefined;
    try {
      st = statSync(abs, { bigint: true, throwIfNoEntry: false });
    } catch (e) {
      if (errCode(e) !== 'ENOTDIR') throw e;
    }
    if (!st) {
      if (this.rows.delete(rel)) this.dirty = true;
      return undefined;
    }
    if (st.isDirectory()) return this.computeDir(rel, abs);
    if (!st.isFile()) return undefined;
    const digest = await this.fileDigest(rel, abs, st);
    return { kind: 'file', digest, size: Number(st.size), files: 1, executable: (st.mode & 0o111n) !== 0n };
  }

  private async computeDir(rel: string, abs: string): Promise<Known> {
    const names = readdirSync(abs).sort();
    const children = await Promise.all(names.map(async (name) => ({ name, k: await this.known(rel === '' ? name : `${rel}/${name}`) })));
    const entries: ManifestEntry[] = [];
    let size = 0;
    for (const { name, k } of children) {
      if (!k) continue;
      size += k.size;
      if (k.kind === 'file') entries.push({ path: name, digest: k.digest, mode: k.executable ? 0o755 : 0o644 });
      else for (const e of k.entries ?? []) entries.push({ ...e, path: `${name}/${e.path}` });
    }
    const digest = sha256(serializeManifest(entries));
    return { kind: 'dir', digest, size, files: entries.length, entries };
  }

  private async fileDigest(rel: string, abs: string, st: BigIntStats): Promise<Sha256> {
    const row = this.rows.get(rel);
    if (row && row[0] === String(st.dev) && row[1] === String(st.ino) && row[2] === String(st.size) && row[3] === String(st.mtimeNs) && row[4] === String(st.ctimeNs)) {
      return row[5];
    }
    await this.acquire();
    let digest: Sha256;
    // Wall clock before the first byte is read: any change after it must look "recent".
    const startNs = BigInt(Date.now()) * 1_000_000n;
    try {
      digest = (await hashPath(abs, Number(st.size))).digest;
    } finally {
      this.release();
    }
    const after = statSync(abs, { bigint: true, throwIfNoEntry: false });
    const unchanged = after !== undefined && after.ino === st.ino && after.size === st.size && after.mtimeNs === st.mtimeNs && after.ctimeNs === st.ctimeNs;
    if (unchanged && !this.isRacy(st, startNs)) {
      this.rows.set(rel, [String(st.dev), String(st.ino), String(st.size), String(st.mtimeNs), String(st.ctimeNs), digest]);
      this.dirty = true;
    } else if (row) {
      this.rows.delete(rel);
      this.dirty = true;
    }
    return digest;
  }

  /**
   * A file whose last change lies within the timestamp granularity of the moment we read it
   * could change again without its stat changing; such a digest is used now but not persisted.
   */
  private isRacy(st: BigIntStats, startNs: bigint): boolean {
    const coarse = st.mtimeNs % 1_000_000_000n === 0n && st.ctimeNs % 1_000_000_000n === 0n;
    const window = coarse ? 2_000_000_000n : this.racyWindowNs;
    const changed = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
    return changed + window >= startNs;
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

/** Normalises a root-relative path to the canonical POSIX form ('' for the root). */
export function normRel(rel: string): string {
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
