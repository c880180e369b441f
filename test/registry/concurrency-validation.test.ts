/**
 * Finding 11 of the hardening issue: registry writes hold a lock from read to log, so concurrent
 * `pipeline models promote` commands lose nothing and the log matches the state; an invalid
 * registry file is a located message (`models/registry.json: $.models…`), not a TypeError.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.ts';
import type { CliIo } from '../../lib/engine/cli/io.ts';
import { REGISTRY_FILE, REGISTRY_LOCK, emptyRegistry, loadRegistry, readLog, register, saveRegistry, type LogEntry } from '../../lib/registry/index.ts';
import { CLI } from '../helpers/project.ts';

let root: string;
const VERSIONS = 7;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'seqlab-registry-lock-'));
  const s = emptyRegistry();
  for (let i = 1; i <= VERSIONS; i++) register(s, { name: 'm', fingerprint: `f${i}`, metrics: { acc: 0.9 }, files: [] });
  await saveRegistry(root, s);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io: CliIo = { out: () => {}, err: (t) => void (err += t), color: false, isTTY: false, cwd: root };
  return { code: await main(['-C', root, ...argv], io), err };
}

/** The log replayed: each entry starts where the one before ended, and the state is where the last ended. */
async function expectLogMatchesState(promoted: number[]): Promise<void> {
  const log: LogEntry[] = await readLog(root);
  expect(log.map((e) => e.to).sort()).toEqual([...promoted].sort());
  log.forEach((e, i) => expect(e.from).toBe(i === 0 ? null : log[i - 1]!.to));
  const entry = (await loadRegistry(root)).models['m']!;
  expect(entry.production).toBe(log.at(-1)!.to);
  expect(entry.previous).toEqual(log.slice(0, -1).map((e) => e.to));
}

describe('registry writes under a lock', () => {
  it('six promotions at once in one process: every one applied, in the log order', async () => {
    const versions = [2, 3, 4, 5, 6, 7];
    const results = await Promise.all(versions.map((v) => cli('models', 'promote', 'm', String(v))));
    expect(results.map((r) => r.code)).toEqual(versions.map(() => 0));
    await expectLogMatchesState(versions);
  });

  it('three `pipeline models promote` processes at once lose nothing, and the lock is released', async () => {
    const versions = [2, 3, 4];
    const codes = await Promise.all(versions.map((v) => new Promise<number | null>((res) => {
      const child = spawn(process.execPath, [CLI, '-C', root, 'models', 'promote', 'm', String(v)], { stdio: 'ignore' });
      child.on('close', res);
    })));
    expect(codes).toEqual([0, 0, 0]);
    await expectLogMatchesState(versions);
    await expect(loadRegistry(root)).resolves.toBeDefined();
    expect((await import('node:fs')).existsSync(path.join(root, REGISTRY_LOCK))).toBe(false);
  });

  it('a lock left by a dead process is taken over', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.on('close', r));
    await writeFile(path.join(root, REGISTRY_LOCK), JSON.stringify({ pid: dead.pid, token: 'gone' }));
    expect((await cli('models', 'promote', 'm', '2')).code).toBe(0);
    await expectLogMatchesState([2]);
  });
});

describe('registry file validation', () => {
  it('a null entry or a wrong type is named by its JSON path, exit 1, no TypeError', async () => {
    const cases: [unknown, RegExp][] = [
      [{ schema: 1, models: { m: null } }, /models\/registry\.json: \$\.models\.m must be an object, got null/],
      [{ schema: 1, models: { m: { versions: [{ version: 'one', fingerprint: 'f', metrics: {}, files: [], registeredAt: 't' }], previous: [] } } },
        /\$\.models\.m\.versions\[0\]\.version must be a version number \(1, 2, …\), got "one"/],
      [{ schema: 1, models: { m: { versions: null, production: 1 } } }, /\$\.models\.m\.versions must be a list, got null/],
    ];
    for (const [data, message] of cases) {
      await writeFile(path.join(root, REGISTRY_FILE), JSON.stringify(data));
      for (const argv of [['models', 'list'], ['models', 'promote', 'm', '1']]) {
        const r = await cli(...argv);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(message);
        expect(r.err).not.toMatch(/TypeError|internal error|\n\s+at /);
      }
    }
  });

  it('the registry path is a directory: error: naming it, no stack', async () => {
    await rm(path.join(root, REGISTRY_FILE));
    await mkdir(path.join(root, REGISTRY_FILE));
    const r = await cli('models', 'list');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: Cannot read models\/registry\.json: it is a directory where a file belongs\./m);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });
});
