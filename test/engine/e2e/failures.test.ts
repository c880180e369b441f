import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseFiles, makeProject, parseRunJson, statuses, type Project } from '../../helpers/project.ts';
import { fixtureYaml } from './fixture.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('pipeline run: failures', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('a failing stage keeps its previous outs and lock entry, skips its dependents, and the independent branch finishes', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    expect((await project.cli(['run'])).code).toBe(0);
    const prepBefore = await project.read('out/prep.txt');
    const lockBefore = await project.read('pipeline.lock');

    // Only prep changes: the lock must stay byte-identical.
    await project.write('pipeline.yaml', fixtureYaml({ prepFlags: '--fail' }));
    const failed = await project.cli(['run']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Stage "prep" failed with exit code 3');
    expect(failed.stderr).toContain('about to fail: something went wrong');
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(await project.read('out/prep.txt')).toBe(prepBefore);
    expect(await project.read('pipeline.lock')).toBe(lockBefore);

    // prep fails again while side has its own change: side runs to the end, train is skipped.
    await project.write('pipeline.yaml', fixtureYaml({ prepFlags: '--fail', c: 2 }));
    const r = await project.cli(['run', '--json', '-j', '2']);
    expect(r.code).toBe(1);
    const doc = parseRunJson(r.stdout);
    expect(doc.ok).toBe(false);
    expect(statuses(r.stdout)).toEqual({ prep: 'failed', train: 'skipped', side: 'ran' });
    expect(doc.stages.find((s) => s.name === 'train')?.error).toContain('"prep"');
    expect(await project.read('out/prep.txt')).toBe(prepBefore);
    expect(await project.read('out/side.txt')).toContain('"c":2');
  });

  it('a corrupt cache object gives a warning and a rerun, not a crash', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    expect((await project.cli(['run'])).code).toBe(0);
    await project.write('pipeline.yaml', fixtureYaml({ c: 2 }));
    expect((await project.cli(['run'])).code).toBe(0);
    // Every stored object is damaged; reverting c would normally restore side from the cache.
    const objects = await filesUnder(project.path('.pipeline/cache/objects'));
    let damaged = 0;
    for (const f of objects) {
      if (!(await readFile(f, 'utf8')).startsWith('side {')) continue;
      await chmod(f, 0o644);
      await writeFile(f, 'garbage');
      damaged++;
    }
    expect(damaged).toBeGreaterThan(0);
    await project.write('pipeline.yaml', fixtureYaml({ c: 1 }));
    const r = await project.cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout).side).toBe('ran');
    expect(r.stderr).toMatch(/corrupt/);
    expect(await project.read('out/side.txt')).toContain('"c":1');
    expect((await project.counter()).filter((n) => n === 'side')).toHaveLength(3);
  });
});
