import { readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObjectStore, storeOuts } from '../../../lib/engine/store/cache.ts';
import { computeFingerprint } from '../../../lib/engine/store/fingerprint.ts';
import { gc, parseSize } from '../../../lib/engine/store/gc.ts';
import { Hasher } from '../../../lib/engine/store/hasher.ts';
import { lockEntryFrom } from '../../../lib/engine/store/lock.ts';
import { RunCache } from '../../../lib/engine/store/run-cache.ts';
import { stageState } from '../../../lib/engine/store/state.ts';
import type { Fingerprint, LockEntry, Sha256, Stage } from '../../../lib/engine/types.ts';
import { makeStage, tempRoot, writeFiles } from './helpers.ts';

async function fingerprint(root: string, stage: Stage): Promise<Fingerprint> {
  const r = await computeFingerprint(stage, root, new Hasher({ root }));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/** Simulates a successful run: writes outs, stores them, records lock entry and run-cache entry. */
async function run(root: string, stage: Stage, outs: Record<string, string>): Promise<LockEntry> {
  await writeFiles(root, outs);
  const fp = await fingerprint(root, stage);
  const r = await storeOuts(root, stage.outs, new Hasher({ root }), new ObjectStore(root));
  if (!r.ok) throw new Error(r.error);
  const entry = lockEntryFrom(fp, r.value);
  await new RunCache(root).put(entry);
  return entry;
}

const objectCount = async (root: string): Promise<number> => {
  let n = 0;
  for (const sub of await readdir(join(root, '.pipeline/cache/objects')).catch(() => [])) n += (await readdir(join(root, '.pipeline/cache/objects', sub))).length;
  return n;
};

describe('stageState', () => {
  it('is never-run, fresh, changed with reasons, then restorable', async () => {
    const root = await tempRoot({ 'in.txt': '1' });
    const stage = (n: number): Stage => makeStage({ name: 's', deps: ['in.txt'], params: { n }, outs: ['out'] });
    const state = async (n: number, entry: LockEntry | undefined) => stageState(await fingerprint(root, stage(n)), entry, root, new Hasher({ root }), new RunCache(root));
    expect(await state(1, undefined)).toEqual({ state: 'never-run' });
    const e1 = await run(root, stage(1), { 'out/a': 'one', 'out/b': 'b' });
    expect(await state(1, e1)).toEqual({ state: 'fresh' });
    expect(await state(2, e1)).toEqual({ state: 'changed', reasons: [{ kind: 'param', key: 'n', before: 1, after: 2 }] });
    await writeFiles(root, { 'out/a': 'edited' });
    expect(await state(1, e1)).toEqual({ state: 'restorable', reasons: [{ kind: 'out', path: 'out', change: 'modified' }] });
    const e2 = await run(root, stage(2), { 'out/a': 'two' });
    expect(await state(2, e2)).toEqual({ state: 'fresh' });
    expect(await state(1, e2)).toEqual({ state: 'restorable', reasons: [{ kind: 'param', key: 'n', before: 2, after: 1 }] });
    await rm(join(root, 'out'), { recursive: true });
    expect(await state(2, e2)).toMatchObject({ state: 'restorable', reasons: [{ kind: 'out', path: 'out', change: 'missing' }] });
    // A run record whose objects are gone is not restorable.
    const manifest = e1.outs[0]!;
    expect(manifest.kind).toBe('dir');
    const entries = (await readFile(new ObjectStore(root).path(manifest.digest), 'utf8')).trim().split('\n').slice(1);
    await new ObjectStore(root).remove(entries[0]!.split(' ')[1] as Sha256);
    expect(await state(1, e2)).toEqual({ state: 'changed', reasons: [{ kind: 'param', key: 'n', before: 2, after: 1 }] });
  });
});

describe('RunCache', () => {
  it('returns undefined for absent and corrupt entries, lists oldest first', async () => {
    const root = await tempRoot({ 'in.txt': '1' });
    const rc = new RunCache(root);
    const e = await run(root, makeStage({ outs: ['o.txt'] }), { 'o.txt': 'x' });
    expect(await rc.get(e.fingerprint)).toEqual(e);
    expect(await rc.get('f'.repeat(64) as Sha256)).toBeUndefined();
    await writeFile(join(root, '.pipeline/cache/runs', `${e.fingerprint}.json`), '{"cmd": 1');
    expect(await rc.get(e.fingerprint)).toBeUndefined();
    const items = await rc.list();
    expect(items.map((i) => [i.fingerprint, i.entry])).toEqual([[e.fingerprint, undefined]]);
  });
});

describe('gc', () => {
  it('keeps lock-referenced objects (and directory members), drops the rest', async () => {
    const root = await tempRoot();
    const mk = (n: number): Stage => makeStage({ params: { n }, outs: ['model'] });
    const e1 = await run(root, mk(1), { 'model/w': 'w1', 'model/shared': 'same' });
    await rm(join(root, 'model'), { recursive: true });
    const e2 = await run(root, mk(2), { 'model/w': 'w2', 'model/shared': 'same' });
    expect(await objectCount(root)).toBe(5);
    // Without a size bound, run records keep their objects.
    expect(await gc(root, { keep: { schema: 1, stages: { s: e2 } } })).toMatchObject({ removedObjects: 0, removedRuns: 0 });
    const r = await gc(root, { keep: { schema: 1, stages: { s: e2 } }, maxSizeBytes: 0 });
    expect(r).toMatchObject({ removedObjects: 2, removedRuns: 2 });
    expect(r.freedBytes).toBeGreaterThan(2);
    expect(await objectCount(root)).toBe(3);
    expect(await new ObjectStore(root).has(e1.outs[0]!.digest)).toBe(false);
    const restoredLock = await stageState(await fingerprint(root, mk(2)), e2, root, new Hasher({ root }), new RunCache(root));
    expect(restoredLock).toEqual({ state: 'fresh' });
  });

  it('drops run records oldest first only while over the bound', async () => {
    const root = await tempRoot();
    const mk = (n: number): Stage => makeStage({ params: { n }, outs: ['big.bin'] });
    const entries: LockEntry[] = [];
    for (let n = 0; n < 3; n++) {
      entries.push(await run(root, mk(n), { 'big.bin': String(n).repeat(10_000) }));
      // mtime decides age; make it unambiguous.
      const t = new Date(Date.now() - (10 - n) * 60_000);
      await utimes(join(root, '.pipeline/cache/runs', `${entries[n]!.fingerprint}.json`), t, t);
    }
    const r = await gc(root, { keep: { schema: 1, stages: {} }, maxSizeBytes: 25_000 });
    expect(r.removedRuns).toBe(1);
    expect(r.removedObjects).toBe(1);
    const rc = new RunCache(root);
    expect(await rc.get(entries[0]!.fingerprint)).toBeUndefined();
    expect(await rc.get(entries[1]!.fingerprint)).toBeDefined();
    expect(r.keptBytes).toBe(20_000);
  });

  it('parses sizes', () => {
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('500M')).toBe(500 * 1024 ** 2);
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('64kb')).toBe(65536);
    expect(parseSize('big')).toBeUndefined();
    expect(parseSize('-1')).toBeUndefined();
    expect(parseSize('5X')).toBeUndefined();
  });
});
