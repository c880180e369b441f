/**
 * bin/bundle-cache.js on real temp directories and real processes: which old CLI builds a
 * rebuild removes, and the leases that keep a running CLI's build alive.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GRACE_MS, LEASED_MARK, LEGACY_MS, pidAlive, pruneBuilds, takeLease } from '../../bin/bundle-cache.js';

const MODULE = fileURLToPath(new URL('../../bin/bundle-cache.js', import.meta.url));
const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempCache(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seqlab-bundle-cache-'));
  made.push(dir);
  return dir;
}

/** A build directory with a bundle file (and the leases mark unless `legacy`), its mtime set `ageMs` in the past. */
async function makeBuild(cache: string, name: string, ageMs: number, leases: number[] = [], legacy = false): Promise<void> {
  const dir = join(cache, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'cli.mjs'), 'export {};\n');
  if (!legacy) await writeFile(join(dir, LEASED_MARK), '');
  for (const pid of leases) await writeFile(join(dir, `lease-${pid}`), '');
  await age(dir, ageMs);
}

async function age(path: string, ageMs: number): Promise<void> {
  const t = new Date(Date.now() - ageMs);
  await utimes(path, t, t);
}

/** Runs a node script to completion; resolves with its pid, exit code and stdout. */
function runNode(script: string, args: string[] = []): Promise<{ pid: number; code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ pid: child.pid as number, code, signal, stdout }));
  });
}

/** The pid of a process that has certainly exited. */
async function deadPid(): Promise<number> {
  const { pid } = await runNode('');
  expect(pidAlive(pid)).toBe(false);
  return pid;
}

const OLD = GRACE_MS + 60_000;

describe('pruneBuilds', () => {
  it('removes idle old builds and leftovers; keeps the current, the published, the recent, the leased and young pre-lease builds', async () => {
    const cache = await tempCache();
    const dead = await deadPid();
    await makeBuild(cache, 'build-1-old', OLD);
    await makeBuild(cache, 'build-2-dead-lease', OLD, [dead]);
    await makeBuild(cache, 'build-3-live-lease', OLD, [dead, process.pid]);
    await makeBuild(cache, 'build-4-recent', GRACE_MS / 2);
    await makeBuild(cache, 'build-5-published', OLD);
    await makeBuild(cache, 'build-6-mine', OLD);
    await makeBuild(cache, 'build-7-odd-lease', OLD);
    await writeFile(join(cache, 'build-7-odd-lease', 'lease-x'), '');
    await age(join(cache, 'build-7-odd-lease'), OLD);
    await makeBuild(cache, 'build-8-legacy', OLD, [], true);
    await makeBuild(cache, 'build-9-legacy-old', LEGACY_MS + 60_000, [], true);
    await makeBuild(cache, 'trash-build-0-1', 0);
    await writeFile(join(cache, 'manifest.json'), JSON.stringify({ bundle: 'build-5-published/cli.mjs', inputs: [] }));
    await age(join(cache, 'manifest.json'), OLD);
    await writeFile(join(cache, 'manifest.json.123.tmp'), '{}');
    await age(join(cache, 'manifest.json.123.tmp'), OLD);
    await writeFile(join(cache, 'manifest.json.456.tmp'), '{}');

    const removed = pruneBuilds(cache, { keep: 'build-6-mine' });
    expect(removed.sort()).toEqual(['build-1-old', 'build-2-dead-lease', 'build-9-legacy-old', 'manifest.json.123.tmp', 'trash-build-0-1']);
    expect((await readdir(cache)).sort()).toEqual([
      'build-3-live-lease',
      'build-4-recent',
      'build-5-published',
      'build-6-mine',
      'build-7-odd-lease',
      'build-8-legacy',
      'manifest.json',
      'manifest.json.456.tmp',
    ]);
  });

  it('asks about each lease, and a build goes once its last user is gone', async () => {
    const cache = await tempCache();
    await makeBuild(cache, 'build-a', OLD, [101, 102]);
    const asked: number[] = [];
    const alive = new Set([102]);
    const isAlive = (pid: number) => (asked.push(pid), alive.has(pid));
    expect(pruneBuilds(cache, { keep: 'build-new', isAlive })).toEqual([]);
    expect(asked.sort()).toEqual([101, 102]);
    alive.clear();
    expect(pruneBuilds(cache, { keep: 'build-new', isAlive })).toEqual(['build-a']);
    // The grace period is measured from `now`: nothing is old an hour before it was made.
    await makeBuild(cache, 'build-b', OLD);
    expect(pruneBuilds(cache, { keep: 'build-new', now: Date.now() - 2 * OLD })).toEqual([]);
    expect(existsSync(join(cache, 'build-b'))).toBe(true);
  });

  it('never throws: a missing cache directory removes nothing', () => {
    expect(pruneBuilds(join(tmpdir(), 'seqlab-no-such-cache-dir', 'x'))).toEqual([]);
  });
});

describe('takeLease', () => {
  const holder = `
    import { takeLease } from ${JSON.stringify(MODULE)};
    const [dir, how] = process.argv.slice(1);
    console.log(takeLease(dir));
    if (how === 'crash') process.kill(process.pid, 'SIGKILL');
    if (how === 'exit') process.exit(3);
  `;

  it('holds a lease while the process lives and drops it when it exits, however it exits', async () => {
    const cache = await tempCache();
    await makeBuild(cache, 'build-x', OLD);
    for (const how of ['end', 'exit']) {
      const r = await runNode(holder, [join(cache, 'build-x'), how]);
      expect(r.stdout.trim()).toBe('true');
      expect((await readdir(join(cache, 'build-x'))).sort()).toEqual(['cli.mjs', LEASED_MARK]);
    }
  });

  it('a killed holder leaves a lease that prune sees as dead; a held build survives', async () => {
    const cache = await tempCache();
    await makeBuild(cache, 'build-killed', OLD);
    await makeBuild(cache, 'build-held', OLD);
    const r = await runNode(holder, [join(cache, 'build-killed'), 'crash']);
    expect(r.signal).toBe('SIGKILL');
    expect((await readdir(join(cache, 'build-killed'))).sort()).toEqual(['cli.mjs', `lease-${r.pid}`, LEASED_MARK].sort());
    expect(takeLease(join(cache, 'build-held'))).toBe(true);
    await age(join(cache, 'build-killed'), OLD);
    await age(join(cache, 'build-held'), OLD);
    expect(pruneBuilds(cache, { keep: 'build-new' })).toEqual(['build-killed']);
    expect(existsSync(join(cache, 'build-held', 'cli.mjs'))).toBe(true);
  });

  it('fails on a build that was pruned, so the CLI builds afresh', async () => {
    const cache = await tempCache();
    expect(takeLease(join(cache, 'build-gone'))).toBe(false);
  });
});
