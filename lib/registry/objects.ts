/**
 * Where registered versions keep their files: content-addressed objects in the same layout as
 * the engine's object store (`.pipeline/cache/objects/<2 hex>/<62 hex>`, read-only files named
 * by the SHA-256 of their bytes), so that one file shared by a stage's outs and a version is
 * stored once. The registry writes that layout itself: it must not import lib/engine (lib/ml
 * imports the registry, and lib/ml never imports the engine).
 *
 * `models/<name>/` is overwritten by the next run; the objects are what a rollback or `pipeline
 * models get` brings back. So that `pipeline gc` keeps them, every digest any version refers to
 * is listed in `.pipeline/cache/roots/registry` (one digest a line), a generic "extra roots"
 * file the engine's gc reads without knowing the registry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryError } from './registry.ts';
import type { FileDigest, ModelVersion, RegistryState } from './types.ts';

/** The object directory, relative to the root (the engine's `OBJECTS_DIR`). */
export const OBJECTS_DIR = '.pipeline/cache/objects';
/** The registry's roots file for gc, relative to the root (the engine reads `.pipeline/cache/roots/*`). */
export const ROOTS_FILE = '.pipeline/cache/roots/registry';

/**
 * The roots file of the registry in `registryFile` (`models/registry.json` → ROOTS_FILE,
 * `models/registry.smoke.json` → `…/roots/registry.smoke`): one per registry, so that a profile's
 * registry never overwrites the list that keeps the default registry's objects alive.
 */
export function rootsFileOf(registryFile: string): string {
  return path.posix.join(path.posix.dirname(ROOTS_FILE), path.posix.basename(registryFile, '.json'));
}

/** Absolute path of object `digest` under `root`. */
export function objectPath(root: string, digest: string): string {
  return path.join(root, OBJECTS_DIR, digest.slice(0, 2), digest.slice(2));
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

/**
 * Copies one file into the store and returns its digest, computed from the copy (a file
 * rewritten meanwhile cannot put wrong bytes under a name). An object already present is kept.
 */
async function putFile(root: string, abs: string): Promise<{ sha256: string; size: number }> {
  const dir = path.join(root, OBJECTS_DIR);
  await mkdir(dir, { recursive: true });
  // The engine's gc sweeps `.tmp-<pid>-…` names whose owner is dead, so a killed copy is not left forever.
  const tmp = path.join(dir, `.tmp-${process.pid}-x-${randomBytes(6).toString('hex')}`);
  try {
    await copyFile(abs, tmp, constants.COPYFILE_FICLONE);
    const digest = await sha256Of(tmp);
    const size = (await stat(tmp)).size;
    const target = objectPath(root, digest);
    if (!(await exists(target))) {
      await chmod(tmp, 0o444);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
    }
    return { sha256: digest, size };
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Stores `paths` (files, or directories walked recursively; relative to `root`) as objects and
 * returns their digests, sorted by path: what a registered version records.
 */
export async function archiveFiles(root: string, paths: readonly string[]): Promise<FileDigest[]> {
  const out: FileDigest[] = [];
  const visit = async (rel: string): Promise<void> => {
    const abs = path.join(root, rel);
    const s = await stat(abs);
    if (s.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await visit(path.posix.join(rel, name));
    } else if (s.isFile()) {
      out.push({ path: rel, ...(await putFile(root, abs)) });
    }
  };
  for (const p of paths) await visit(p.split(path.sep).join('/'));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes the gc roots file: every digest any version of `state` refers to. */
export async function writeRoots(root: string, state: RegistryState, rootsFile = ROOTS_FILE): Promise<void> {
  const digests = new Set<string>();
  for (const entry of Object.values(state.models)) for (const v of entry.versions) for (const f of v.files) digests.add(f.sha256);
  const file = path.join(root, rootsFile);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, [...digests].sort().map((d) => `${d}\n`).join(''));
  await rename(tmp, file);
}

/** The files of `v` whose objects are absent from this machine's store. */
export async function missingObjects(root: string, v: ModelVersion): Promise<FileDigest[]> {
  const missing: FileDigest[] = [];
  for (const f of v.files) if (!(await exists(objectPath(root, f.sha256)))) missing.push(f);
  return missing;
}

/** The sentence that says a version cannot be materialised here, and how to get its files. */
export function missingMessage(name: string, v: ModelVersion, missing: readonly FileDigest[]): string {
  const first = missing.slice(0, 3).map((f) => f.path).join(', ');
  const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
  const how = v.stage
    ? `rerun its stage (\`pipeline run ${v.stage}\`, whose fingerprint ${v.fingerprint.slice(0, 12)} must match) or pull the shared cache into .pipeline/cache`
    : 'pull the shared cache into .pipeline/cache';
  return `Version ${v.version} of "${name}" has ${missing.length} file(s) missing from this machine's object store (${first}${more}); ${how}.`;
}

/**
 * Copies every file of version `v` of `name` to `toDir/<its path>`, checking each object's
 * digest on the way. Nothing is written unless every object is present and intact; a file is
 * written under a temp name and renamed, so a reader never sees half of one.
 */
export async function materialise(root: string, name: string, v: ModelVersion, toDir: string): Promise<string[]> {
  const missing = await missingObjects(root, v);
  if (missing.length > 0) throw new RegistryError(missingMessage(name, v, missing));
  for (const f of v.files) {
    const actual = await sha256Of(objectPath(root, f.sha256));
    if (actual !== f.sha256) {
      throw new RegistryError(`The stored object of ${f.path} (version ${v.version} of "${name}") is corrupt: its digest is ${actual.slice(0, 12)}…, not ${f.sha256.slice(0, 12)}…; delete ${path.relative(root, objectPath(root, f.sha256))} and rerun its stage.`);
    }
  }
  const written: string[] = [];
  for (const f of v.files) {
    const dest = path.join(toDir, f.path);
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await copyFile(objectPath(root, f.sha256), tmp);
      await chmod(tmp, 0o644);
      if ((await sha256Of(tmp)) !== f.sha256) throw new RegistryError(`${f.path} changed while it was copied to ${toDir}; try again.`);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
    written.push(dest);
  }
  return written;
}
