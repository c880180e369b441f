/**
 * The registry on disk: `models/registry.json` (the state, written atomically: temp file, then
 * rename) and `models/registry-log.jsonl` (one line per promotion or rollback, appended after
 * the state is in place). Paths are relative to the project root. Writers go through
 * `updateRegistry`, which holds the registry lock (lock.ts) from the read to the log append.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withRegistryLock } from './lock.ts';
import { rootsFileOf, writeRoots } from './objects.ts';
import { emptyRegistry, RegistryError } from './registry.ts';
import { registryProblems } from './validate.ts';
import type { LogEntry, RegistryState } from './types.ts';

/** Where the state lives, relative to the root. */
export const REGISTRY_FILE = 'models/registry.json';
/** Where promotions and rollbacks are logged, relative to the root. */
export const REGISTRY_LOG = 'models/registry-log.jsonl';

/**
 * The profile whose registry this process uses: the runner passes `PIPELINE_PROFILE` to stages
 * ('' for none), so that a smoke run registers its toy models in `models/registry.smoke.json`
 * and never in the committed registry. Anything but a plain word means the default.
 */
function currentProfile(): string | undefined {
  const p = process.env.PIPELINE_PROFILE;
  return p !== undefined && /^[A-Za-z0-9_-]+$/.test(p) ? p : undefined;
}

/** The registry state file of `profile` (default: the current one), relative to the root. */
export function registryFile(profile = currentProfile()): string {
  return profile === undefined ? REGISTRY_FILE : `models/registry.${profile}.json`;
}

/** The promotion log of `profile` (default: the current one), relative to the root. */
export function registryLog(profile = currentProfile()): string {
  return profile === undefined ? REGISTRY_LOG : `models/registry-log.${profile}.jsonl`;
}

/** Reads the registry of `root`; an absent file is an empty registry, an invalid one a `RegistryError` naming the JSON path. */
export async function loadRegistry(root: string): Promise<RegistryState> {
  const name = registryFile();
  const file = path.join(root, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyRegistry();
    // Reading a directory fails in read(2), whose error names no file: name it, so that the CLI
    // can say which file is in the way (the registry stays free of engine imports).
    (e as NodeJS.ErrnoException).path ??= file;
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(`${name} is not valid JSON (${(e as Error).message}); restore it from git.`);
  }
  const problems = registryProblems(data);
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new RegistryError(`${name}: ${problems.slice(0, 5).join('; ')}${more}; fix it or restore it from git.`);
  }
  return data as RegistryState;
}

/**
 * Read → change → write under the registry lock: what `change` does to the state is saved with
 * the log entries it returns, and no concurrent writer's change is lost in between. A change
 * that throws leaves the registry as it was.
 */
export async function updateRegistry<T>(root: string, change: (state: RegistryState) => Promise<{ log: readonly LogEntry[]; result: T }> | { log: readonly LogEntry[]; result: T }): Promise<T> {
  return withRegistryLock(root, async () => {
    const state = await loadRegistry(root);
    const { log, result } = await change(state);
    await saveRegistry(root, state, log);
    return result;
  });
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
 * then rewrites the gc roots file (objects.ts), then appends `log` entries. Leaves the state
 * file alone when its text is unchanged, so that re-running with the same candidates keeps its mtime.
 */
export async function saveRegistry(root: string, state: RegistryState, log: readonly LogEntry[] = []): Promise<void> {
  const file = path.join(root, registryFile());
  await mkdir(path.dirname(file), { recursive: true });
  const text = formatRegistry(state);
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old !== text) {
    // Unique per write: the promote stage and a CLI command of one pid namespace must not share it.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }
  // Always, not only on change: the roots file is local (git-ignored) and a fresh clone lacks it.
  await writeRoots(root, state, rootsFileOf(registryFile()));
  if (log.length > 0) await appendFile(path.join(root, registryLog()), log.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** Every entry of the log, oldest first (empty when there is no log yet). */
export async function readLog(root: string): Promise<LogEntry[]> {
  const text = await readFile(path.join(root, registryLog()), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as LogEntry);
}
