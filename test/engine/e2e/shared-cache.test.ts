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
