/**
 * The run lock: at most one `pipeline run` per pipeline root. `.pipeline/run.lock` holds
 * `{pid, startedAt, hostname, argv, startTicks}` of its owner.
 *
 * The lock file is written whole to a private temp file and then hard-linked into place:
 * `link(2)` fails with EEXIST exactly like `open(O_CREAT|O_EXCL)`, but a lock that exists is
 * never half-written, so a reader never mistakes a lock being written for a corrupt one.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type { Diagnostic, Result } from '../types.ts';
import { err, ok } from '../types.ts';
import { pipelineDir, tmpDir, unsweptMarker } from './paths.ts';
import { pidAlive, readCmdline, readStat } from './proc.ts';
import { tmpPathBeside } from '../store/fs-util.ts';

/** A held run lock. */
export interface RunLock {
  /** Removes the lock if it is still ours; running it twice is harmless. */
  release(): Promise<void>;
  /** Set when a lock left by a dead process was taken over, so that the CLI can warn. */
  tookOver?: { pid: number; startedAt: string };
}

interface LockInfo {
  pid: number;
  startedAt: string;
  hostname: string;
  argv: string[];
  /** Start time of `pid` in clock ticks since boot (Linux); tells a reused pid apart. */
  startTicks?: string;
  /** Random per acquisition, so that release never deletes somebody else's lock. */
  token: string;
}

/** A takeover mutex older than this was left by a killed process. */
const STALE_TAKEOVER_MS = 10_000;

/**
 * Acquires `<root>/.pipeline/run.lock`. Fails with a Diagnostic when another live process
 * holds it; takes over a lock whose owner died (reported as `tookOver`). The lock is also
 * removed when this process exits normally, as a safety net for forgotten releases.
 */
export async function acquireRunLock(
  root: string,
): Promise<Result<{ release(): Promise<void>; tookOver?: { pid: number; startedAt: string } }, Diagnostic>> {
  const dir = pipelineDir(root);
  await mkdir(dir, { recursive: true });
  const lockPath = join(dir, 'run.lock');
  const me: LockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    hostname: hostname(),
    argv: process.argv,
    token: randomBytes(8).toString('hex'),
  };
  const st = readStat(process.pid);
  if (st !== undefined) me.startTicks = st.startTicks;

  const tmp = tmpPathBeside(lockPath);
  await writeFile(tmp, JSON.stringify(me, null, 2) + '\n');
  try {
    let tookOver: { pid: number; startedAt: string } | undefined;
    if (!(await tryLink(tmp, lockPath))) {
      const holder = await readLock(lockPath);
      if (holder !== undefined && ownerAlive(holder)) return err(heldDiagnostic(holder, root));
      const taken = await takeOver(tmp, lockPath, root, holder);
      if (!taken.ok) return taken;
      tookOver = taken.value;
    }
    return ok(makeHandle(lockPath, me.token, tookOver));
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Replaces a stale lock. Two runners may find the same stale lock at once; a short-lived
 * O_EXCL mutex makes "check it is still the same stale lock, delete it, link ours" atomic,
 * so exactly one of them wins and the other sees the winner's live lock.
 */
async function takeOver(
  tmp: string,
  lockPath: string,
  root: string,
  seen: LockInfo | undefined,
): Promise<Result<{ pid: number; startedAt: string } | undefined, Diagnostic>> {
  const mutex = join(pipelineDir(root), 'run.lock.takeover');
  if (!(await tryLink(tmp, mutex))) {
    const age = await stat(mutex).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > STALE_TAKEOVER_MS) await unlink(mutex).catch(() => undefined);
    if (!(await tryLink(tmp, mutex))) {
      const holder = (await readLock(lockPath)) ?? seen;
      return err(holder !== undefined ? heldDiagnostic(holder, root) : busyDiagnostic(root));
    }
  }
  try {
    const now = await readLock(lockPath);
    if (now !== undefined && now.token !== seen?.token && ownerAlive(now)) {
      return err(heldDiagnostic(now, root));
    }
    await unlink(lockPath).catch(() => undefined);
    if (!(await tryLink(tmp, lockPath))) return err(busyDiagnostic(root));
    // The dead owner may have left temp files beside outs; the next run sweeps them (leftovers.ts).
    await mkdir(tmpDir(root), { recursive: true });
    await writeFile(unsweptMarker(root), `${now?.pid ?? ''}\n`);
    if (now === undefined) return ok(undefined);
    return ok({ pid: now.pid, startedAt: now.startedAt });
  } finally {
    await unlink(mutex).catch(() => undefined);
  }
}

function makeHandle(
  lockPath: string,
  token: string,
  tookOver: { pid: number; startedAt: string } | undefined,
): RunLock {
  let released = false;
  const onExit = (): void => {
    // Synchronous on purpose: 'exit' listeners cannot await.
    try {
      if ((JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockInfo>).token === token) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  const handle: RunLock = {
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const current = await readLock(lockPath);
      if (current?.token === token) await unlink(lockPath).catch(() => undefined);
    },
  };
  if (tookOver !== undefined) handle.tookOver = tookOver;
  return handle;
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** The lock's content; undefined when absent or unreadable (then treated as stale). */
async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid !== 'number' || typeof info.startedAt !== 'string') return undefined;
    return { hostname: '', argv: [], token: '', ...info } as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's owner still runs. A pid alone is not enough, since pids get reused: the
 * process must also have the recorded start time or, failing that, a command line that
 * mentions the same script. A lock from another host cannot be checked and counts as held.
 */
function ownerAlive(info: LockInfo): boolean {
  if (info.hostname !== '' && info.hostname !== hostname()) return true;
  if (!pidAlive(info.pid)) return false;
  const st = readStat(info.pid);
  if (st !== undefined && info.startTicks !== undefined) return st.startTicks === info.startTicks;
  const cmdline = readCmdline(info.pid);
  const script = info.argv[1];
  if (cmdline === undefined || script === undefined) return true;
  return cmdline.some((arg) => basename(arg) === basename(script));
}

function heldDiagnostic(info: LockInfo, root: string): Diagnostic {
  const d = new Date(info.startedAt);
  const started = Number.isNaN(d.getTime())
    ? info.startedAt
    : [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const where = info.hostname !== '' && info.hostname !== hostname() ? ` on host ${info.hostname}` : '';
  return {
    severity: 'error',
    message:
      `Another \`pipeline run\` (pid ${info.pid}${where}, started ${started}) is working in ${root}. ` +
      'Wait for it to finish, or stop it.',
  };
}

function busyDiagnostic(root: string): Diagnostic {
  return {
    severity: 'error',
    message: `Another \`pipeline run\` is starting in ${root}. Wait for it to finish, or stop it.`,
  };
}
