import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockEntryFrom, readLock, writeLock } from '../../../lib/engine/store/lock.ts';
import { parseLock, serializeLock } from '../../../lib/engine/store/lock-yaml.ts';
import type { Fingerprint, LockEntry, LockFile, Sha256 } from '../../../lib/engine/types.ts';
import { tempRoot } from './helpers.ts';

const D = (c: string): Sha256 => c.repeat(64) as Sha256;

const entry = (over: Partial<LockEntry> = {}): LockEntry => ({
  cmd: 'tsx stages/train.ts --variant "no memory" && echo done: yes',
  fingerprint: D('a'),
  params: { ex1: { units: 64, epochs: 20 }, seed: 42, tag: '007', flag: true, lr: 0.001 },
  deps: { 'data/z': D('1'), 'data/a': D('2') },
  code: { 'stages/train.ts': D('3') },
  runtime: { 'cmd:node --version': 'v20.20.2', 'env:HOME': '' },
  outs: [
    { path: 'models/ex1', kind: 'dir', digest: D('4'), size: 1234, files: 3 },
    { path: 'reports/ex1/metrics.json', kind: 'file', digest: D('5'), size: 10 },
  ],
  ...over,
});

describe('pipeline.lock', () => {
  it('reads a missing lock as empty', async () => {
    const root = await tempRoot();
    expect(await readLock(root)).toEqual({ ok: true, value: { schema: 1, stages: {} } });
  });

  it('round-trips and serialises deterministically whatever the insertion order', async () => {
    const root = await tempRoot();
    const lock: LockFile = { schema: 1, stages: { train: entry(), 'ablate@full': entry({ wdir: 'sub', outs: [], runtime: {} }) } };
    await writeLock(root, lock);
    const back = await readLock(root);
    expect(back).toEqual({ ok: true, value: lock });
    const e = entry();
    const shuffled: LockFile = {
      schema: 1,
      stages: {
        'ablate@full': { runtime: {}, outs: [], code: e.code, deps: e.deps, params: e.params, fingerprint: e.fingerprint, wdir: 'sub', cmd: e.cmd },
        train: { ...e, params: { tag: '007', seed: 42, lr: 0.001, flag: true, ex1: { epochs: 20, units: 64 } }, deps: { 'data/a': D('2'), 'data/z': D('1') }, outs: [...e.outs].reverse() },
      },
    };
    const text = serializeLock(shuffled);
    expect(text).toBe(await readFile(join(root, 'pipeline.lock'), 'utf8'));
    expect(text.indexOf('ablate@full:')).toBeLessThan(text.indexOf('train:'));
    expect(text.indexOf('data/a')).toBeLessThan(text.indexOf('data/z'));
    expect(text).toMatch(/^schema: 1\nstages:\n {2}ablate@full:\n {4}cmd: /);
  });

  it('round-trips awkward names and values', () => {
    const lock: LockFile = {
      schema: 1,
      stages: {
        'ablate@no-memory': entry({ cmd: "  python -c '\n  print(1)'\n# trailing\n", params: { list: [1, 'two', { three: [3] }], empty: {}, none: null, s: 'yes', n: '1e3' } }),
        '*odd: name #x': entry({ runtime: { 'env:A': ' spaced ', 'cmd:x': 'line1\nline2' }, outs: [] }),
      },
    };
    const text = serializeLock(lock);
    expect(parseLock(text)).toEqual({ ok: true, value: lock });
    expect(serializeLock(lock)).toBe(text);
  });

  it('does not rewrite an unchanged lock', async () => {
    const root = await tempRoot();
    const lock: LockFile = { schema: 1, stages: { train: entry() } };
    await writeLock(root, lock);
    const before = await stat(join(root, 'pipeline.lock'));
    await writeLock(root, { schema: 1, stages: { train: entry() } });
    const after = await stat(join(root, 'pipeline.lock'));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    await writeLock(root, { schema: 1, stages: { train: entry({ cmd: 'other' }) } });
    expect((await stat(join(root, 'pipeline.lock'))).ino).not.toBe(before.ino);
  });

  it('keeps its parse cache honest: hand edits are seen, a corrupt cache is ignored', async () => {
    const root = await tempRoot();
    await writeLock(root, { schema: 1, stages: { train: entry() } });
    const text = await readFile(join(root, 'pipeline.lock'), 'utf8');
    await writeFile(join(root, 'pipeline.lock'), text.replace('seed: 42', 'seed: 43'));
    const edited = await readLock(root);
    expect(edited.ok && edited.value.stages.train?.params.seed).toBe(43);
    await writeFile(join(root, '.pipeline/state/lock-cache.jsonl'), '{"format":1,"text":');
    const again = await readLock(root);
    expect(again.ok && again.value.stages.train?.params.seed).toBe(43);
    await writeLock(root, { schema: 1, stages: { train: entry() } });
    expect(await readFile(join(root, 'pipeline.lock'), 'utf8')).toBe(text);
  });

  it('reports YAML syntax errors with pipeline.lock:line:col', async () => {
    const root = await tempRoot();
    await writeFile(join(root, 'pipeline.lock'), 'schema: 1\nstages:\n  train:\n    cmd: "unterminated\n');
    const r = await readLock(root);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error[0]?.message).toMatch(/^pipeline\.lock is not valid YAML/);
    expect(r.error[0]?.location?.file).toBe('pipeline.lock');
    expect(r.error[0]?.location?.line).toBeGreaterThanOrEqual(4);
  });

  it('locates each malformed field', () => {
    const text = serializeLock({ schema: 1, stages: { train: entry() } })
      .replace(`fingerprint: ${D('a')}`, 'fingerprint: not-a-digest')
      .replace('size: 10', 'size: ten');
    const r = parseLock(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = text.split('\n');
    const fpLine = lines.findIndex((l) => l.includes('not-a-digest')) + 1;
    const sizeLine = lines.findIndex((l) => l.includes('size: ten')) + 1;
    expect(r.error.map((d) => [d.message, d.location?.line, d.location?.col])).toEqual([
      ['pipeline.lock: stage "train": "fingerprint" must be a SHA-256 digest.', fpLine, lines[fpLine - 1]?.indexOf('not-a-digest')! + 1],
      ['pipeline.lock: stage "train": out "size" must be a number.', sizeLine, lines[sizeLine - 1]?.indexOf('ten')! + 1],
    ]);
    expect(parseLock('schema: 2\nstages: {}\n')).toMatchObject({ ok: false, error: [{ location: { line: 1, col: 9 } }] });
    expect(parseLock('- a\n- b\n')).toMatchObject({ ok: false, error: [{ location: { line: 1, col: 1 } }] });
  });

  it('builds a lock entry from a fingerprint and outs', () => {
    const fp: Fingerprint = { digest: D('f'), cmd: 'c', wdir: '', params: { a: 1 }, deps: {}, code: {}, runtime: {}, outs: ['o'] };
    const outs = [{ path: 'o', kind: 'file' as const, digest: D('0'), size: 1 }];
    expect(lockEntryFrom(fp, outs)).toEqual({ cmd: 'c', fingerprint: D('f'), params: { a: 1 }, deps: {}, code: {}, runtime: {}, outs });
    expect(lockEntryFrom({ ...fp, wdir: 'w' }, outs).wdir).toBe('w');
  });
});
