import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseFiles, makeProject, statuses, type Project } from '../../helpers/project.ts';
import { fixtureYaml } from './fixture.ts';
import { ObjectStore } from '../../../lib/engine/store/cache.ts';
import { gc } from '../../../lib/engine/store/gc.ts';

describe('PIPELINE_CACHE_DIR: a cache shared by several checkouts', () => {
  const projects: Project[] = [];
  let shared: string | undefined;
  afterEach(async () => {
    await Promise.all(projects.splice(0).map((p) => p.remove()));
    if (shared) await rm(shared, { recursive: true, force: true });
    shared = undefined;
  });

  it('a second checkout pointed at the first one\'s cache restores every stage and executes none', async () => {
    shared = await mkdtemp(join(tmpdir(), 'seqlab-shared-cache-'));
    const env = { PIPELINE_CACHE_DIR: shared };
    const first = await makeProject(baseFiles(fixtureYaml()));
    const second = await makeProject(baseFiles(fixtureYaml()));
    projects.push(first, second);

    const a = await first.cli(['run', '--json'], { env });
    expect(a.code, a.stderr).toBe(0);
    expect(statuses(a.stdout)).toEqual({ prep: 'ran', train: 'ran', side: 'ran' });
    // The cache lives in the shared directory, not in the checkout.
    expect((await readdir(join(shared, 'objects'))).length).toBeGreaterThan(0);
    expect(first.exists('.pipeline/cache/objects')).toBe(false);

    const b = await second.cli(['run', '--json'], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(statuses(b.stdout)).toEqual({ prep: 'restored', train: 'restored', side: 'restored' });
    expect(await second.counter()).toEqual([]);
    expect(await second.read('out/train.txt')).toBe(await first.read('out/train.txt'));
  });

  it('pipeline.yaml\'s cache.dir does the same (and PIPELINE_CACHE_DIR overrides it)', async () => {
    shared = await mkdtemp(join(tmpdir(), 'seqlab-shared-cache-'));
    const yaml = `cache: { dir: ${JSON.stringify(shared)} }\n${fixtureYaml()}`;
    const first = await makeProject(baseFiles(yaml));
    const second = await makeProject(baseFiles(yaml));
    projects.push(first, second);
    expect((await first.cli(['run'])).code).toBe(0);
    expect(first.exists('.pipeline/cache/objects')).toBe(false);
    // gc finds the cache where the config says: the objects the lock pins stay.
    expect((await first.cli(['gc'])).code).toBe(0);
    const b = await second.cli(['run', '--json']);
    expect(statuses(b.stdout)).toEqual({ prep: 'restored', train: 'restored', side: 'restored' });
    expect(await second.counter()).toEqual([]);
    // The variable wins over the setting: an empty cache elsewhere restores nothing.
    const other = await mkdtemp(join(tmpdir(), 'seqlab-shared-cache-'));
    const third = await makeProject(baseFiles(yaml));
    projects.push(third);
    const c = await third.cli(['run', '--json'], { env: { PIPELINE_CACHE_DIR: other } });
    await rm(other, { recursive: true, force: true });
    expect(statuses(c.stdout)).toEqual({ prep: 'ran', train: 'ran', side: 'ran' });
  });

  it('gc in a shared cache keeps unreferenced objects that are young (another checkout may be about to record them)', async () => {
    shared = await mkdtemp(join(tmpdir(), 'seqlab-shared-cache-'));
    const p = await makeProject(baseFiles(fixtureYaml()));
    projects.push(p);
    const saved = process.env.PIPELINE_CACHE_DIR;
    try {
      process.env.PIPELINE_CACHE_DIR = shared;
      const d = await new ObjectStore(p.dir).putBytes('an object no record refers to yet\n');
      await gc(p.dir, { keep: { schema: 1, stages: {} } });
      expect(await new ObjectStore(p.dir).has(d)).toBe(true);
      delete process.env.PIPELINE_CACHE_DIR;
      // The project's own cache has no such grace: nobody else writes it.
      const own = await new ObjectStore(p.dir).putBytes('local\n');
      await gc(p.dir, { keep: { schema: 1, stages: {} } });
      expect(await new ObjectStore(p.dir).has(own)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_CACHE_DIR;
      else process.env.PIPELINE_CACHE_DIR = saved;
    }
  });
});
