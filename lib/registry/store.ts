/**
 * The registry on disk: `models/registry.json` (the state, written atomically: temp file, then
 * rename) and `models/registry-log.jsonl` (one line per promotion or rollback, appended after
 * the state is in place). Paths are relative to the project root.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emptyRegistry, RegistryError } from './registry.ts';
import type { FileDigest, LogEntry, RegistryState } from './types.ts';

/** Where the state lives, relative to the root. */
export const REGISTRY_FILE = 'models/registry.json';
/** Where promotions and rollbacks are logged, relative to the root. */
export const REGISTRY_LOG = 'models/registry-log.jsonl';

/** Reads the registry of `root`; an absent file is an empty registry. */
export async function loadRegistry(root: string): Promise<RegistryState> {
  const file = path.join(root, REGISTRY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyRegistry();
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(`${REGISTRY_FILE} is not valid JSON (${(e as Error).message}); restore it from git.`);
  }
  const state = data as Partial<RegistryState>;
  if (state.schema !== 1 || typeof state.models !== 'object' || state.models === null) {
    throw new RegistryError(`${REGISTRY_FILE} is not a schema-1 registry; restore it from git.`);
  }
  for (const entry of Object.values(state.models)) entry.previous ??= [];
  return state as RegistryState;
}

/** Sorted keys at every level, so that the committed file diffs cleanly. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, stable((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The registry file's exact text for a state. */
export function formatRegistry(state: RegistryState): string {
  return `${JSON.stringify(stable(state), null, 2)}\n`;
}

/**
 * Writes the state atomically (a reader never sees half a file; a crash leaves the old one),
 * then appends `log` entries. Writes nothing when the text is unchanged, so that re-running
 * with the same candidates leaves the file's mtime alone.
 */
export async function saveRegistry(root: string, state: RegistryState, log: readonly LogEntry[] = []): Promise<void> {
  const file = path.join(root, REGISTRY_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  const text = formatRegistry(state);
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old !== text) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }
  if (log.length > 0) await appendFile(path.join(root, REGISTRY_LOG), log.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** Every entry of the log, oldest first (empty when there is no log yet). */
export async function readLog(root: string): Promise<LogEntry[]> {
  const text = await readFile(path.join(root, REGISTRY_LOG), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as LogEntry);
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Content digests of `paths` (files, or directories walked recursively), relative to `root`, sorted. */
export async function digestFiles(root: string, paths: readonly string[]): Promise<FileDigest[]> {
  const out: FileDigest[] = [];
  const visit = async (rel: string): Promise<void> => {
    const abs = path.join(root, rel);
    const s = await stat(abs);
    if (s.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await visit(path.posix.join(rel, name));
    } else if (s.isFile()) {
      out.push({ path: rel, sha256: await sha256(abs), size: s.size });
    }
  };
  for (const p of paths) await visit(p.split(path.sep).join('/'));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
