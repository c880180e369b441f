import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  REGISTRY_FILE, archiveFiles, emptyRegistry, loadRegistry, readLog, registerAndPromote, rollback, saveRegistry,
} from '../../lib/registry/index.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'seqlab-registry-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('registry store', () => {
  it('a profile run (PIPELINE_PROFILE, set by the runner) keeps its own registry and log', async () => {
    const s = emptyRegistry();
    const { log } = registerAndPromote(s, { name: 'toy', fingerprint: 'f', metrics: { test_accuracy: 0.9 }, files: [] }, { metric: 'test_accuracy', direction: 'max', threshold: 0.5 });
    const saved = process.env.PIPELINE_PROFILE;
    process.env.PIPELINE_PROFILE = 'smoke';
    try {
      await saveRegistry(root, s, log ? [log] : []);
      expect((await loadRegistry(root)).models.toy).toBeDefined();
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_PROFILE;
      else process.env.PIPELINE_PROFILE = saved;
    }
    expect(JSON.parse(await readFile(path.join(root, 'models/registry.smoke.json'), 'utf8')).models.toy).toBeDefined();
    expect(await readFile(path.join(root, 'models/registry-log.smoke.jsonl'), 'utf8')).toContain('toy');
    // The default registry was never touched.
    await expect(stat(path.join(root, REGISTRY_FILE))).rejects.toThrow();
    expect(await loadRegistry(root)).toEqual(emptyRegistry());
  });

  it('reads an absent registry as empty and round-trips a saved one', async () => {
    expect(await loadRegistry(root)).toEqual(emptyRegistry());
    const s = emptyRegistry();
    const { log } = registerAndPromote(s, {
      name: 'ex1', fingerprint: 'f1', metrics: { test_accuracy: 0.9 }, files: [],
    }, { metric: 'test_accuracy', direction: 'max', threshold: 0.75 });
    await saveRegistry(root, s, log ? [log] : []);
    expect(await loadRegistry(root)).toEqual(s);
    expect(await readLog(root)).toHaveLength(1);
  });

  it('appends every promotion and rollback to the log, oldest first', async () => {
    const s = emptyRegistry();
    const gate = { metric: 'test_accuracy', direction: 'max', threshold: 0.5 } as const;
    for (const [fp, acc] of [['a', 0.6], ['b', 0.7]] as const) {
      const { log } = registerAndPromote(s, { name: 'm', fingerprint: fp, metrics: { test_accuracy: acc }, files: [] }, gate);
      await saveRegistry(root, s, log ? [log] : []);
    }
    await saveRegistry(root, s, [rollback(s, 'm')]);
    const log = await readLog(root);
    expect(log.map((e) => [e.action, e.from, e.to])).toEqual([['promote', null, 1], ['promote', 1, 2], ['rollback', 2, 1]]);
    expect((await loadRegistry(root)).models.m?.production).toBe(1);
  });

  it('does not rewrite an unchanged registry and leaves no temp files', async () => {
    const s = emptyRegistry();
    await saveRegistry(root, s);
    const file = path.join(root, REGISTRY_FILE);
    const before = (await stat(file)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await saveRegistry(root, s);
    expect((await stat(file)).mtimeMs).toBe(before);
    expect(await readFile(file, 'utf8')).toBe('{\n  "models": {},\n  "schema": 1\n}\n');
  });

  it('rejects a corrupt registry with a sentence, not a stack', async () => {
    await mkdir(path.join(root, 'models'));
    await writeFile(path.join(root, REGISTRY_FILE), '{"schema": 2}');
    await expect(loadRegistry(root)).rejects.toThrow(/models\/registry.json: \$.schema must be 1/);
    await writeFile(path.join(root, REGISTRY_FILE), '{');
    await expect(loadRegistry(root)).rejects.toThrow(/not valid JSON/);
  });

  it('digests every file under a directory, sorted, with sizes', async () => {
    await mkdir(path.join(root, 'models/m/sub'), { recursive: true });
    await writeFile(path.join(root, 'models/m/b.bin'), 'abc');
    await writeFile(path.join(root, 'models/m/sub/a.json'), '');
    const files = await archiveFiles(root, ['models/m']);
    expect(files).toEqual([
      { path: 'models/m/b.bin', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', size: 3 },
      { path: 'models/m/sub/a.json', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', size: 0 },
    ]);
  });
});
