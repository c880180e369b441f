import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObjectStore, restoreOuts, storeOuts } from '../../../lib/engine/store/cache.ts';
import { Hasher } from '../../../lib/engine/store/hasher.ts';
import type { OutRecord } from '../../../lib/engine/types.ts';
import { snapshot, tempRoot, writeFiles } from './helpers.ts';

async function stored(root: string, outs: string[]): Promise<{ store: ObjectStore; records: OutRecord[] }> {
  const store = new ObjectStore(root);
  const r = await storeOuts(root, outs, new Hasher({ root }), store);
  if (!r.ok) throw new Error(r.error);
  return { store, records: r.value };
}

describe('ObjectStore', () => {
  it('stores files content-addressed and read-only, once', async () => {
    const root = await tempRoot({ 'a.txt': 'hello', 'b.txt': 'hello' });
    const store = new ObjectStore(root);
    const d = await store.putFile(join(root, 'a.txt'));
    expect(store.path(d)).toBe(join(root, '.pipeline/cache/objects', d.slice(0, 2), d.slice(2)));
    expect(await store.putFile(join(root, 'b.txt'))).toBe(d);
    expect((await stat(store.path(d))).mode & 0o222).toBe(0);
    expect(await store.has(d)).toBe(true);
    expect(await store.verify(d)).toBe(true);
    await store.remove(d);
    expect(await store.has(d)).toBe(false);
    expect(await store.verify(d)).toBe(false);
  });
});

describe('storeOuts / restoreOuts', () => {
  const tree = { 'model/w.bin': 'weights', 'model/sub/cfg.json': '{}', 'model/run.sh': '#!/bin/sh\n', 'metrics.json': '{"acc":1}' };

  it('round-trips files and directories, modes included, replacing what is there', async () => {
    const root = await tempRoot(tree);
    await chmod(join(root, 'model/run.sh'), 0o755);
    const original = await snapshot(root);
    const { store, records } = await stored(root, ['model', 'metrics.json']);
    expect(records.map((r) => [r.path, r.kind, r.size, r.files])).toEqual([
      ['model', 'dir', 19, 3],
      ['metrics.json', 'file', 9, undefined],
    ]);
    await rm(join(root, 'model'), { recursive: true });
    await writeFile(join(root, 'metrics.json'), 'garbage');
    expect(await restoreOuts(root, records, store)).toEqual({ ok: true, value: undefined });
    expect(await snapshot(root)).toEqual(original);
    await writeFiles(root, { 'model/extra.txt': 'stray', 'model/w.bin': 'changed' });
    await rm(join(root, 'metrics.json'));
    await mkdir(join(root, 'metrics.json'));
    expect((await restoreOuts(root, records, store)).ok).toBe(true);
    expect(await snapshot(root)).toEqual(original);
    const h = new Hasher({ root });
    expect((await h.info('model'))?.digest).toBe(records[0]?.digest);
  });

  it('restores the executable bit of a file out', async () => {
    const root = await tempRoot({ 'bin/tool': '#!/bin/sh\necho hi\n' });
    await chmod(join(root, 'bin/tool'), 0o755);
    const { store, records } = await stored(root, ['bin/tool']);
    expect(records[0]?.executable).toBe(true);
    await rm(join(root, 'bin'), { recursive: true });
    expect((await restoreOuts(root, records, store)).ok).toBe(true);
    expect((await stat(join(root, 'bin/tool'))).mode & 0o777).toBe(0o755);
  });

  it('reports a missing declared out', async () => {
    const root = await tempRoot(tree);
    const r = await storeOuts(root, ['model', 'nope.txt'], new Hasher({ root }), new ObjectStore(root));
    expect(r).toEqual({ ok: false, error: 'Stage did not create its declared out "nope.txt"' });
  });

  it('sees outs rewritten after the hasher first saw them', async () => {
    const root = await tempRoot(tree);
    const h = new Hasher({ root });
    const old = await h.hashFile('metrics.json');
    await writeFiles(root, { 'metrics.json': '{"acc":2}' });
    const r = await storeOuts(root, ['metrics.json'], h, new ObjectStore(root));
    expect(r.ok && r.value[0]?.digest).not.toBe(old);
  });

  it('detects a corrupted object, removes it, reports it and leaves the workspace untouched', async () => {
    const root = await tempRoot(tree);
    const { store, records } = await stored(root, ['model', 'metrics.json']);
    const manifest = (await readFile(store.path(records[0]!.digest), 'utf8')).split('\n');
    const weights = manifest.find((l) => l.endsWith('"w.bin"'))!.split(' ')[1]!;
    const obj = store.path(weights as OutRecord['digest']);
    const bytes = await readFile(obj);
    bytes[0] = bytes[0]! ^ 0xff;
    await chmod(obj, 0o644);
    await writeFile(obj, bytes);
    await writeFiles(root, { 'model/w.bin': 'local edit', 'metrics.json': 'local' });
    const workspace = await snapshot(root);
    const r = await restoreOuts(root, records, store);
    expect(r).toEqual({ ok: false, error: `Cache object ${weights} of out "model/w.bin" is corrupt; it was removed from the cache.` });
    expect(await store.has(weights as OutRecord['digest'])).toBe(false);
    expect(await snapshot(root)).toEqual(workspace);
    const again = await restoreOuts(root, records, store);
    expect(again).toEqual({ ok: false, error: `Cache object ${weights} of out "model/w.bin" is missing.` });
    expect(await snapshot(root)).toEqual(workspace);
  });

  it('detects a missing file object before touching anything', async () => {
    const root = await tempRoot(tree);
    const { store, records } = await stored(root, ['model', 'metrics.json']);
    await store.remove(records[1]!.digest);
    await rm(join(root, 'model'), { recursive: true });
    const r = await restoreOuts(root, records, store);
    expect(r).toEqual({ ok: false, error: `Cache object ${records[1]!.digest} of out "metrics.json" is missing.` });
    expect(await snapshot(root)).toEqual({ 'metrics.json': '644:{"acc":1}' });
  });
});
