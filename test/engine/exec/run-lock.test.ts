import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../../lib/engine/exec/run-lock.ts';
import { alive, cleanTemps, tempRoot } from './helpers.ts';

afterEach(cleanTemps);

async function writeLock(root: string, info: Record<string, unknown>): Promise<void> {
  await mkdir(join(root, '.pipeline'), { recursive: true });
  await writeFile(join(root, '.pipeline/run.lock'), JSON.stringify(info));
}

const startTicks = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

describe('acquireRunLock', () => {
  it('refuses a second run while the first holds the lock, and releases idempotently', async () => {
    const root = await tempRoot();
    const first = await acquireRunLock(root);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.tookOver).toBeUndefined();
    const lockFile = join(root, '.pipeline/run.lock');
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });

    const second = await acquireRunLock(root);
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.error.severity).toBe('error');
    expect(second.error.message).toMatch(
      new RegExp(`^Another \`pipeline run\` \\(pid ${process.pid}, started \\d\\d:\\d\\d:\\d\\d\\) is working in `),
    );
    expect(second.error.message).toContain(`${root}. Wait for it to finish, or stop it.`);

    await first.value.release();
    await first.value.release();
    expect(existsSync(lockFile)).toBe(false);
    const third = await acquireRunLock(root);
    expect(third.ok).toBe(true);
    if (third.ok) await third.value.release();
  });

  it('takes over a lock left by a process that has exited', async () => {
    const root = await tempRoot();
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    expect(alive(pid)).toBe(false);
    await writeLock(root, { pid, startedAt: '2026-01-01T10:02:11.000Z', hostname: hostname(), argv: ['node', 'x'] });

    const lock = await acquireRunLock(root);
    expect(lock.ok).toBe(true);
    if (!lock.ok) return;
    expect(lock.value.tookOver).toEqual({ pid, startedAt: '2026-01-01T10:02:11.000Z' });
    expect(JSON.parse(readFileSync(join(root, '.pipeline/run.lock'), 'utf8')).pid).toBe(process.pid);
    await lock.value.release();
  });

  it('tells a reused pid from the original owner by its start time', async () => {
    const root = await tempRoot();
    const sleeper = spawn('sleep', ['30']);
    const pid = sleeper.pid!;
    try {
      const base = { pid, startedAt: new Date().toISOString(), hostname: hostname(), argv: ['sleep', '30'] };
      // Same pid, same start time: the owner is alive.
      await writeLock(root, { ...base, startTicks: startTicks(pid) });
      const held = await acquireRunLock(root);
      expect(held.ok).toBe(false);
      if (!held.ok) expect(held.error.message).toContain(`pid ${pid},`);
      // Same pid, other start time: the owner died and the pid now belongs to someone else.
      await writeLock(root, { ...base, startTicks: '1' });
      const taken = await acquireRunLock(root);
      expect(taken.ok).toBe(true);
      if (taken.ok) {
        expect(taken.value.tookOver?.pid).toBe(pid);
        await taken.value.release();
      }
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('takes over an unreadable lock file', async () => {
    const root = await tempRoot();
    await mkdir(join(root, '.pipeline'), { recursive: true });
    await writeFile(join(root, '.pipeline/run.lock'), '{"pid": 12');
    const lock = await acquireRunLock(root);
    expect(lock.ok).toBe(true);
    if (lock.ok) {
      expect(lock.value.tookOver).toBeUndefined();
      await lock.value.release();
    }
  });
});
