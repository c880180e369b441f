/**
 * The content-addressed object store (`.pipeline/cache/objects/<2 hex>/<62 hex>`) and the
 * moves between it and the workspace: storing a stage's outs, restoring them.
 */
import { constants, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutRecord, Result, Sha256 } from '../types.ts';
import { errCode, mapLimit, sha256, tmpPathBeside } from './fs-util.ts';
import { type Hasher, hashPath, normRel } from './hasher.ts';
import { type ManifestEntry, parseManifest, serializeManifest } from './manifest.ts';
import { cacheDir } from './cache-dir.ts';

/** Where objects live, relative to the project root. */
export const OBJECTS_DIR = '.pipeline/cache/objects';
const IO_LIMIT = 16;

/** Content-addressed, read-only file objects under the cache's `objects/` (cache-dir.ts). */
export class ObjectStore {
  readonly dir: string;

  /** `cache`: the cache directory (see cache-dir.ts). */
  constructor(root: string, cache = cacheDir(root)) {
    this.dir = join(cache, 'objects');
  }

  /** Absolute path of object `d` (which may not exist). */
  path(d: Sha256): string {
    return join(this.dir, d.slice(0, 2), d.slice(2));
  }

  /** Whether object `d` is present (not whether it is intact: see `verify`). */
  async has(d: Sha256): Promise<boolean> {
    try {
      return statSync(this.path(d), { throwIfNoEntry: false })?.isFile() ?? false;
    } catch {
      return false;
    }
  }

  /**
   * Stores a copy of a file (a reflink where the file system can) and returns its digest,
   * computed from the copy itself, so a file changing meanwhile cannot poison the store.
   * With `known`, an object already present under that digest is not copied again. `mode`
   * (the file's permission bits) keeps the object from being more readable than the file.
   */
  async putFile(absPath: string, known?: Sha256, mode = 0o644): Promise<Sha256> {
    if (known && (await this.has(known))) return known;
    await mkdir(this.dir, { recursive: true });
    const tmp = tmpPathBeside(join(this.dir, 'x'));
    try {
      await copyFile(absPath, tmp, constants.COPYFILE_FICLONE);
      const { digest } = await hashPath(tmp);
      await this.adopt(tmp, digest, readBits(mode));
      return digest;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Stores bytes (a directory manifest) and returns their digest. */
  async putBytes(data: string | Uint8Array): Promise<Sha256> {
    const digest = sha256(data);
    if (await this.has(digest)) return digest;
    await mkdir(this.dir, { recursive: true });
    const tmp = tmpPathBeside(join(this.dir, 'x'));
    try {
      await writeFile(tmp, data);
      await this.adopt(tmp, digest);
      return digest;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Rehashes object `d`; false when it is missing or its bytes no longer match. */
  async verify(d: Sha256): Promise<boolean> {
    try {
      return (await hashPath(this.path(d))).digest === d;
    } catch {
      return false;
    }
  }

  /** Deletes object `d` if present. */
  async remove(d: Sha256): Promise<void> {
    await rm(this.path(d), { force: true });
  }

  private async adopt(tmp: string, digest: Sha256, mode = 0o444): Promise<void> {
    if (await this.has(digest)) return;
    await chmod(tmp, mode);
    await mkdir(dirname(this.path(digest)), { recursive: true });
    await rename(tmp, this.path(digest));
  }
}

/**
 * Copies a stage's declared outs into the store (files as objects, directories as a
 * manifest object plus one object per file) and describes them. Forgets the hasher's memo
 * for each out first: the stage has just rewritten them.
 */
export async function storeOuts(root: string, outs: string[], hasher: Hasher, store: ObjectStore): Promise<Result<OutRecord[], string>> {
  const records: OutRecord[] = [];
  for (const out of outs.map(normRel)) {
    hasher.invalidate(out);
    const info = await hasher.info(out);
    if (!info) return { ok: false, error: `Stage did not create its declared out "${out}"` };
    const abs = join(root, out);
    if (info.kind === 'file') {
      const mode = (await stat(abs)).mode & 0o777;
      const d = await store.putFile(abs, info.digest, mode);
      if (d !== info.digest) return { ok: false, error: `Out "${out}" changed while it was being stored` };
      const odd = unusual(mode, info.executable ? 0o755 : 0o644);
      records.push({ path: out, kind: 'file', digest: d, size: info.size, ...(info.executable && { executable: true as const }), ...(odd && { mode: mode.toString(8) }) });
      continue;
    }
    const entries = (await hasher.manifest(out)) ?? [];
    const stored = await mapLimit(entries, IO_LIMIT, async (e) => {
      const mode = (await stat(join(abs, e.path))).mode & 0o777;
      return { digest: await store.putFile(join(abs, e.path), e.digest, mode), mode };
    });
    const changed = entries.find((e, i) => stored[i]?.digest !== e.digest);
    if (changed) return { ok: false, error: `Out "${out}/${changed.path}" changed while it was being stored` };
    const d = await store.putBytes(serializeManifest(entries));
    if (d !== info.digest) return { ok: false, error: `Out "${out}" changed while it was being stored` };
    const modes: Record<string, string> = {};
    entries.forEach((e, i) => {
      const mode = stored[i]?.mode;
      if (mode !== undefined && unusual(mode, e.mode)) modes[e.path] = mode.toString(8);
    });
    records.push({ path: out, kind: 'dir', digest: d, size: info.size, files: entries.length, ...(Object.keys(modes).length > 0 && { modes }) });
  }
  return { ok: true, value: records };
}

/** Reads and parses a directory manifest object; undefined when missing or malformed. */
export async function readManifest(store: ObjectStore, d: Sha256): Promise<ManifestEntry[] | undefined> {
  const text = await readFile(store.path(d), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseManifest(text);
}

/**
 * Puts recorded outs back into the workspace from the store. Every object is verified
 * first; a corrupt or missing one is removed from the store and reported, and then nothing
 * in the workspace has been touched. Each out is built under a temp name and renamed into
 * place, replacing what was there. Callers must `hasher.invalidate` the outs afterwards.
 */
export async function restoreOuts(root: string, outs: OutRecord[], store: ObjectStore): Promise<Result<void, string>> {
  const plans: { out: OutRecord; entries?: ManifestEntry[] }[] = [];
  const checked = new Map<Sha256, Promise<string | undefined>>();
  const check = (d: Sha256, what: string): Promise<string | undefined> => {
    let p = checked.get(d);
    if (!p) {
      p = (async () => {
        if (!(await store.has(d))) return `Cache object ${d} of ${what} is missing.`;
        if (await store.verify(d)) return undefined;
        await store.remove(d);
        return `Cache object ${d} of ${what} is corrupt; it was removed from the cache.`;
      })();
      checked.set(d, p);
    }
    return p;
  };
  // An out inside a directory out of the same stage (`reports/ex1/metrics.json` beside
  // `reports/ex1`) is part of that directory's manifest: restoring the directory restores it,
  // and building it separately would put its temp file inside the directory being replaced.
  const dirs = outs.filter((o) => o.kind === 'dir').map((o) => `${o.path}/`);
  const outermost = outs.filter((o) => !dirs.some((d) => o.path.startsWith(d)));
  for (const out of outermost) {
    const problem = await check(out.digest, `out "${out.path}"`);
    if (problem) return { ok: false, error: problem };
    if (out.kind === 'file') {
      plans.push({ out });
      continue;
    }
    const entries = await readManifest(store, out.digest);
    if (!entries) {
      await store.remove(out.digest);
      return { ok: false, error: `Cache object ${out.digest} of out "${out.path}" is not a directory manifest; it was removed from the cache.` };
    }
    const problems = await mapLimit(entries, IO_LIMIT, (e) => check(e.digest, `out "${out.path}/${e.path}"`));
    const first = problems.find((p) => p !== undefined);
    if (first) return { ok: false, error: first };
    plans.push({ out, entries });
  }

  const built: { tmp: string; target: string }[] = [];
  try {
    for (const { out, entries } of plans) {
      const target = join(root, out.path);
      await mkdir(dirname(target), { recursive: true });
      const tmp = tmpPathBeside(target);
      built.push({ tmp, target });
      if (!entries) {
        await materialise(store.path(out.digest), tmp, out.mode !== undefined ? parseInt(out.mode, 8) : out.executable ? 0o755 : 0o644);
        continue;
      }
      await mkdir(tmp);
      await mapLimit(entries, IO_LIMIT, async (e) => {
        const dest = join(tmp, e.path);
        await mkdir(dirname(dest), { recursive: true });
        const recorded = out.modes?.[e.path];
        await materialise(store.path(e.digest), dest, recorded !== undefined ? parseInt(recorded, 8) : e.mode);
      });
    }
    for (const { tmp, target } of built) await replace(tmp, target);
  } catch (e) {
    await Promise.all(built.map(({ tmp }) => rm(tmp, { recursive: true, force: true })));
    return { ok: false, error: `Could not restore outs from the cache: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { ok: true, value: undefined };
}

/**
 * Whether permission bits must be recorded to survive a restore, which otherwise writes 644 or
 * 755. Group and other write bits do not count: they come from the umask (002 would otherwise
 * put every file of every directory out into the record), and a restore leaves them off.
 */
function unusual(mode: number, restored: number): boolean {
  return (mode & 0o755) !== restored;
}

/** An object's mode: readable by whoever may read the file it came from, and always by its owner. */
function readBits(mode: number): number {
  return 0o400 | (mode & 0o044);
}

async function materialise(object: string, dest: string, mode: number): Promise<void> {
  await copyFile(object, dest, constants.COPYFILE_FICLONE);
  await chmod(dest, mode);
}

/** Renames `tmp` onto `target`, moving whatever is at `target` (file or directory) out of the way. */
async function replace(tmp: string, target: string): Promise<void> {
  try {
    await rename(tmp, target);
    return;
  } catch (e) {
    const code = errCode(e);
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EPERM') throw e;
  }
  const trash = tmpPathBeside(target);
  await rename(target, trash);
  await rename(tmp, target);
  await rm(trash, { recursive: true, force: true });
}
