// Registered versions keep their files: content-addressed objects in the engine's store layout,
// kept by `pipeline gc`, copied out by `pipeline models get` with digests checked, and a rollback
// gives back the earlier weights although models/ was overwritten. Real temp dirs and the real CLI.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { ObjectStore } from '../../lib/engine/store/cache.ts';
import { gc } from '../../lib/engine/store/gc.ts';
import {
  REGISTRY_FILE, ROOTS_FILE, archiveFiles, emptyRegistry, loadRegistry, objectPath, registerAndPromote, updateRegistry,
} from '../../lib/registry/index.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'seqlab-objects-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCli(root, ...argv);

const gate = { metric: 'test_accuracy', direction: 'max', threshold: 0.5 } as const;

/** Writes models/m with `weights`, then registers (and promotes, if it beats production) it as fingerprint `fp`. */
async function train(fp: string, weights: string, acc: number): Promise<void> {
  await mkdir(path.join(root, 'models/m/sub'), { recursive: true });
  await writeFile(path.join(root, 'models/m/weights.bin'), weights);
  await writeFile(path.join(root, 'models/m/sub/config.json'), '{"kind":"x"}');
  const files = await archiveFiles(root, ['models/m']);
  await updateRegistry(root, (s) => {
    const { log } = registerAndPromote(s, { name: 'm', fingerprint: fp, stage: 'train-m', metrics: { test_accuracy: acc }, files }, gate);
    return { log: log ? [log] : [], result: undefined };
  });
}

describe('registry objects', () => {
  it('stores files in the engine object layout and lists them as gc roots', async () => {
    await train('a', 'w-one', 0.8);
    const v = (await loadRegistry(root)).models.m!.versions[0]!;
    expect(v.files.map((f) => f.path)).toEqual(['models/m/sub/config.json', 'models/m/weights.bin']);
    const store = new ObjectStore(root);
    for (const f of v.files) {
      expect(store.path(f.sha256 as never)).toBe(objectPath(root, f.sha256));
      expect(await store.verify(f.sha256 as never)).toBe(true);
    }
    const roots = (await readFile(path.join(root, ROOTS_FILE), 'utf8')).trim().split('\n');
    expect(roots.sort()).toEqual(v.files.map((f) => f.sha256).sort());
  });

  it("a profile's registry lists its roots in a file of its own, so gc keeps both registries' objects", async () => {
    await train('a', 'w-default', 0.8);
    const saved = process.env.PIPELINE_PROFILE;
    process.env.PIPELINE_PROFILE = 'smoke';
    try {
      await train('b', 'w-smoke', 0.8);
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_PROFILE;
      else process.env.PIPELINE_PROFILE = saved;
    }
    await gc(root, { keep: { schema: 1, stages: {} } });
    const weights = async (registry: string) => {
      const state = JSON.parse(await readFile(path.join(root, registry), 'utf8')) as { models: Record<string, { versions: { files: { path: string; sha256: string }[] }[] }> };
      const f = state.models.m!.versions[0]!.files.find((x) => x.path.endsWith('weights.bin'))!;
      return readFile(objectPath(root, f.sha256), 'utf8');
    };
    expect(await weights(REGISTRY_FILE)).toBe('w-default');
    expect(await weights('models/registry.smoke.json')).toBe('w-smoke');
  });

  it('survives pipeline gc with an empty lock; an object nobody lists goes', async () => {
    await train('a', 'w-one', 0.8);
    const stray = await new ObjectStore(root).putBytes('nobody refers to me');
    const r = await gc(root, { keep: { schema: 1, stages: {} } });
    expect(r.removedObjects).toBe(1);
    expect(await new ObjectStore(root).has(stray)).toBe(false);
    for (const f of (await loadRegistry(root)).models.m!.versions[0]!.files) expect(await new ObjectStore(root).verify(f.sha256 as never)).toBe(true);
  });

  it('gets the production version back after a rollback, though models/ now holds other weights', async () => {
    await train('a', 'w-one', 0.8);
    await train('b', 'w-two', 0.9);
    expect((await loadRegistry(root)).models.m!.production).toBe(2);
    expect((await cli('models', 'rollback', 'm')).code).toBe(0);
    const r = await cli('models', 'get', 'm', '--to', 'out');
    expect(r.err).toContain('m v1: 2 file(s) written');
    expect(r.code).toBe(0);
    expect(await readFile(path.join(root, 'out/models/m/weights.bin'), 'utf8')).toBe('w-one');
    expect(await readFile(path.join(root, 'models/m/weights.bin'), 'utf8')).toBe('w-two');
    expect((await cli('models', 'get', 'm@v2', '--to', 'out2')).code).toBe(0);
    expect(await readFile(path.join(root, 'out2/models/m/weights.bin'), 'utf8')).toBe('w-two');
  });

  it('says how to get a version whose objects are missing, and refuses a corrupt one', async () => {
    await train('a', 'w-one', 0.8);
    const v = (await loadRegistry(root)).models.m!.versions[0]!;
    const weights = v.files.find((f) => f.path.endsWith('weights.bin'))!;
    await chmod(objectPath(root, weights.sha256), 0o644);
    await writeFile(objectPath(root, weights.sha256), 'tampered');
    const corrupt = await cli('models', 'get', 'm@1', '--to', 'out');
    expect(corrupt.code).toBe(1);
    expect(corrupt.err).toMatch(/models\/m\/weights.bin .* is corrupt/);
    await rm(path.join(root, '.pipeline'), { recursive: true });
    const missing = await cli('models', 'get', 'm', '--to', 'out');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/has 2 file\(s\) missing .*rerun its stage \(`pipeline run train-m`.*shared cache/);
    await expect(readFile(path.join(root, 'out/models/m/weights.bin'))).rejects.toThrow(/ENOENT/);
  });

  it('names what exists for a wrong reference, and needs --to', async () => {
    await train('a', 'w-one', 0.8);
    expect((await cli('models', 'get', 'm@7', '--to', 'o')).err).toMatch(/no version "7" \(versions: 1; or @production\)/);
    expect((await cli('models', 'get', 'nope', '--to', 'o')).err).toMatch(/"nope" is not registered \(registered: m\)/);
    const r = await cli('models', 'get', 'm');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/needs --to DIR/);
  });

  it('refuses a registry whose file paths escape the target or whose digests are not digests', async () => {
    const s = emptyRegistry();
    registerAndPromote(s, { name: 'm', fingerprint: 'a', metrics: { test_accuracy: 1 }, files: [{ path: '../../etc/x', sha256: '../x', size: 1 }] }, gate);
    await mkdir(path.join(root, 'models'), { recursive: true });
    await writeFile(path.join(root, REGISTRY_FILE), JSON.stringify(s));
    await expect(loadRegistry(root)).rejects.toThrow(/files\[0\]\.path must be a relative path inside the project.*files\[0\]\.sha256 must be a SHA-256/);
  });
});
