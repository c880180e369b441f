import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeFingerprint, explainChanges, sameInputs } from '../../../lib/engine/store/fingerprint.ts';
import { Hasher } from '../../../lib/engine/store/hasher.ts';
import { lockEntryFrom } from '../../../lib/engine/store/lock.ts';
import type { ChangeReason, Fingerprint, LockEntry, Sha256, Stage } from '../../../lib/engine/types.ts';
import { makeStage, tempRoot, writeFiles } from './helpers.ts';

const ENV = 'SEQLAB_STORE_TEST_ENV';
afterEach(() => {
  delete process.env[ENV];
});

const files = {
  'data/in.csv': '1,2\n',
  'stages/s.ts': `import { m } from '../lib/m.js';\n`,
  'lib/m.ts': 'export const m = 1;\n',
  'lib/unused.ts': 'export const u = 1;\n',
  'ver.txt': 'v1\n',
};

const base = (over: Partial<Stage> = {}): Stage =>
  makeStage({
    name: 'train',
    cmd: 'tsx stages/s.ts',
    deps: ['data'],
    params: { ex1: { n: 1, epochs: 2 }, seed: 42 },
    env: [ENV],
    runtime: ['cat ver.txt'],
    outs: ['out/model'],
    ...over,
  });

async function fingerprint(root: string, stage: Stage): Promise<Fingerprint> {
  const r = await computeFingerprint(stage, root, new Hasher({ root }));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe('computeFingerprint', () => {
  it('records every input kind', async () => {
    const root = await tempRoot(files);
    process.env[ENV] = 'on';
    const fp = await fingerprint(root, base());
    expect(Object.keys(fp.deps)).toEqual(['data']);
    expect(Object.keys(fp.code)).toEqual(['lib/m.ts', 'stages/s.ts']);
    expect(fp.runtime).toEqual({ [`env:${ENV}`]: 'on', 'cmd:cat ver.txt': 'v1' });
    expect(fp.outs).toEqual(['out/model']);
    expect(fp.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes for each input kind, and only then', async () => {
    const root = await tempRoot(files);
    const before = await fingerprint(root, base());
    const entry = lockEntryFrom(before, [{ path: 'out/model', kind: 'dir', digest: '0'.repeat(64) as Sha256, size: 0, files: 0 }]);
    const check = async (stage: Stage, expected: ChangeReason[]): Promise<void> => {
      const fp = await fingerprint(root, stage);
      expect(explainChanges(fp, entry)).toEqual(expected);
      if (expected.length === 0) expect(fp.digest).toBe(before.digest);
      else expect(fp.digest).not.toBe(before.digest);
    };
    await writeFiles(root, { 'lib/unused.ts': 'changed', 'other.txt': 'x' });
    await check(base(), []);
    await check(base({ params: { seed: 42, ex1: { epochs: 2, n: 1 } } }), []);
    await check(base({ cmd: 'tsx stages/s.ts --fast' }), [{ kind: 'cmd', before: 'tsx stages/s.ts', after: 'tsx stages/s.ts --fast' }]);
    await check(base({ params: { ex1: { n: 1, epochs: 3 }, seed: 42 } }), [{ kind: 'param', key: 'ex1.epochs', before: 2, after: 3 }]);
    await check(base({ params: { ex1: { n: 1, epochs: 2 } } }), [{ kind: 'param', key: 'seed', before: 42, after: undefined }]);
    await check(base({ outs: ['out/model', 'out/extra'] }), [{ kind: 'out', path: 'out/extra', change: 'declared' }]);
    await check(base({ deps: ['data', 'ver.txt'] }), [{ kind: 'dep', path: 'ver.txt', change: 'added' }]);
    process.env[ENV] = 'set';
    await check(base(), [{ kind: 'runtime', key: `env:${ENV}`, before: '', after: 'set' }]);
    delete process.env[ENV];

    await writeFiles(root, { 'data/in.csv': '1,3\n' });
    await check(base(), [{ kind: 'dep', path: 'data', change: 'modified' }]);
    await writeFiles(root, { 'data/in.csv': '1,2\n', 'lib/m.ts': 'export const m = 2;\n' });
    await check(base(), [{ kind: 'code', path: 'lib/m.ts', change: 'modified' }]);
    await writeFiles(root, { 'lib/m.ts': 'export const m = 1;\n', 'ver.txt': 'v2\n' });
    await check(base(), [{ kind: 'runtime', key: 'cmd:cat ver.txt', before: 'v1', after: 'v2' }]);
    await writeFiles(root, { 'ver.txt': 'v1\n', 'sub/stages/s.ts': `import { m } from '../lib/m.js';\n`, 'sub/lib/m.ts': 'export const m = 1;\n' });
    await check(base(), []);
    const moved = await fingerprint(root, base({ wdir: 'sub' }));
    expect(explainChanges(moved, entry).map((r) => r.kind)).toEqual(['wdir', 'code', 'code', 'code', 'code']);
  });

  it('names the stage and path of a missing dep, with its location', async () => {
    const root = await tempRoot(files);
    const loc = { file: 'pipeline.yaml', line: 7, col: 12 };
    const r = await computeFingerprint(base({ deps: ['data', 'nope/x.csv'], depLocations: [undefined, loc] }), root, new Hasher({ root }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toHaveLength(1);
    expect(r.error[0]?.message).toBe('Stage "train": dep "nope/x.csv" does not exist.');
    expect(r.error[0]?.location).toEqual(loc);
  });

  it('runs each runtime command once per invocation when given a shared memo', async () => {
    const root = await tempRoot(files);
    const stage = base({ runtime: ['echo run >> count.txt; echo tool-1.0'] });
    const memo = new Map<string, string>();
    const h = new Hasher({ root });
    const results = await Promise.all([1, 2, 3].map(() => computeFingerprint(stage, root, h, memo)));
    await computeFingerprint(stage, root, h, memo);
    expect(results.every((r) => r.ok && r.value.runtime['cmd:echo run >> count.txt; echo tool-1.0'] === 'tool-1.0')).toBe(true);
    expect(await readFile(join(root, 'count.txt'), 'utf8')).toBe('run\n');
  });
});

describe('computeFingerprint with the previous lock entry', () => {
  const withPrevious = async (root: string, stage: Stage, previous: LockEntry): Promise<Fingerprint> => {
    const r = await computeFingerprint(stage, root, new Hasher({ root }), new Map(), previous);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  };
  const out = (path: string) => ({ path, kind: 'file' as const, digest: '0'.repeat(64) as Sha256, size: 0 });

  it('reuses the recorded digest exactly when every input is equal, and computes it otherwise', async () => {
    const root = await tempRoot(files);
    const stage = base({ outs: ['out/a', 'out/b'] });
    const before = await fingerprint(root, stage);
    const entry = lockEntryFrom(before, [out('out/a'), out('out/b')]);
    expect(sameInputs(before, entry)).toBe(true);
    // A marker digest shows which path was taken; equal inputs take the recorded one.
    const marked: LockEntry = { ...entry, fingerprint: 'f'.repeat(64) as Sha256 };
    expect((await withPrevious(root, stage, marked)).digest).toBe(marked.fingerprint);

    const variants: Stage[] = [
      base({ outs: ['out/a', 'out/b'], cmd: 'tsx stages/s.ts --x' }),
      base({ outs: ['out/a', 'out/b'], wdir: 'stages' }),
      base({ outs: ['out/a', 'out/b'], params: { ex1: { n: 1, epochs: 3 }, seed: 42 } }),
      base({ outs: ['out/a'] }),
      base({ outs: ['out/a', 'out/b'], deps: ['data', 'ver.txt'] }),
      base({ outs: ['out/a', 'out/b'], runtime: [] }),
    ];
    for (const v of variants) {
      const fp = await withPrevious(root, v, marked);
      expect(fp.digest).not.toBe(marked.fingerprint);
      expect(fp.digest).toBe((await fingerprint(root, v)).digest);
    }
    await writeFiles(root, { 'lib/m.ts': 'export const m = 2;\n' });
    const edited = await withPrevious(root, stage, marked);
    expect(edited.digest).toBe((await fingerprint(root, stage)).digest);
    expect(edited.digest).not.toBe(before.digest);
  });

  it('compares params by value, not by identity', async () => {
    const root = await tempRoot(files);
    const stage = base();
    const entry = lockEntryFrom(await fingerprint(root, stage), [out('out/model')]);
    const copy = base({ params: { seed: 42, ex1: { epochs: 2, n: 1 } } });
    expect(sameInputs(await fingerprint(root, copy), entry)).toBe(true);
  });
});
