/**
 * The registry's write lock: `models/registry.lock` (git-ignored like everything under models/
 * but the registry and its log), created atomically and exclusively, holding the owner's pid.
 * A writer holds it across read → modify → write → append to the log, so concurrent `pipeline
 * models promote` commands and the promote stage apply one after the other and none loses
 * another's change. (A pid is checked on this host only: a registry on a file system shared
 * between machines would need a lock server.)
 *
 * A lock whose owner died (kill -9 in the few milliseconds it is held) is taken over. Taking over
 * happens under a second O_EXCL file, and only after re-reading that the lock is still the same
 * dead one, so two waiters can never both remove a lock and both think they hold it.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryError } from './registry.ts';

/** Relative to the root. */
export const REGISTRY_LOCK = 'models/registry.lock';

/** How long a writer waits for the lock before giving up with a clear message. */
const WAIT_MS = 30_000;
/** A takeover file older than this was left by a process killed while taking over. */
const STALE_TAKEOVER_MS = 10_000;

interface Owner {
  pid: number;
  token: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `file` with `text` unless it exists; false when it does. Written whole to a private
 * temp file and hard-linked into place (link(2) fails with EEXIST like O_EXCL), so that a lock
 * is never seen half-written, and a crash can never leave an empty one nobody may take over.
 */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  try {
    await link(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    const o = JSON.parse(await readFile(file, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.token === 'string' ? (o as Owner) : undefined;
  } catch {
    return undefined; // absent (released this instant)
  }
}

/** Removes the lock if it still belongs to the dead owner `seen`; returns whether it did. */
async function takeOver(lock: string, seen: Owner): Promise<boolean> {
  const mutex = `${lock}.takeover`;
  if (!(await createExclusive(mutex, String(process.pid)))) {
    const age = await stat(mutex).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > STALE_TAKEOVER_MS) await unlink(mutex).catch(() => undefined);
    return false;
  }
  try {
    const now = await readOwner(lock);
    if (now?.token !== seen.token) return false;
    await unlink(lock);
    return true;
  } finally {
    await unlink(mutex).catch(() => undefined);
  }
}

/** Runs `fn` holding the registry lock of `root`; the lock is released whatever `fn` does. */
export async function withRegistryLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(root, REGISTRY_LOCK);
  await mkdir(path.dirname(lock), { recursive: true });
  const me: Owner = { pid: process.pid, token: randomBytes(8).toString('hex') };
  const until = Date.now() + WAIT_MS;
  let pause = 5;
  while (!(await createExclusive(lock, JSON.stringify(me)))) {
    const owner = await readOwner(lock);
    if (owner && !alive(owner.pid) && (await takeOver(lock, owner))) continue;
    if (Date.now() > until) {
      throw new RegistryError(`${REGISTRY_LOCK} is held by process ${owner?.pid ?? '?'}, which has not released it for ${WAIT_MS / 1000}s; if no registry command is running, delete the file.`);
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 100);
  }
  try {
    return await fn();
  } finally {
    if ((await readOwner(lock))?.token === me.token) await unlink(lock).catch(() => undefined);
  }
}
