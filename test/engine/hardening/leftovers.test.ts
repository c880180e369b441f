/**
 * Findings 8 and 12 of issue 10: temp files of a killed process (an interrupted restore beside
 * an out, an interrupted copy into the cache) are gone after the next run or gc, while those of
 * live processes stay; gc takes the run lock before it reads pipeline.lock.
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpPathBeside } from '../../../lib/engine/store/fs-util.ts';
import { baseFiles, makeProject, waitForFile, type Project } from '../../helpers/project.ts';
import { fixtureYaml, killRunnerMidStage } from '../e2e/fixture.ts';

const FS_UTIL = resolve(import.meta.dirname, '../../../lib/engine/store/fs-util.ts');

/** Makes a real process write a temp file beside each of `paths` and die by SIGKILL. */
function dieLeavingTemps(paths: string[]): void {
  const script = `import { tmpPathBeside } from ${JSON.stringify(FS_UTIL)};
import { mkdirSync, writeFileSync } from 'node:fs';
for (const p of ${JSON.stringify(paths)}) writeFileSync(tmpPathBeside(p), 'partial');
mkdirSync(tmpPathBeside(${JSON.stringify(paths[0])}));
process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  expect(r.signal).toBe('SIGKILL');
}

async function temps(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((p) => p.split('/').some((s) => s.startsWith('.tmp-'))).sort();
}

describe('leftovers of killed processes', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('the run after a killed one removes dead temp files beside outs and in the cache, and keeps live ones', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    // A runner killed mid-stage leaves its stale run lock; a killed restore leaves temp files.
    await killRunnerMidStage(project);
    const objects = project.path('.pipeline/cache/objects');
    dieLeavingTemps([project.path('out/prep.txt'), join(objects, 'x'), project.path('pipeline.lock')]);
    const mine = tmpPathBeside(project.path('out/side.txt'));
    await project.write(mine.slice(project.dir.length + 1), 'a live process is still writing this');
    expect(await temps(project.dir)).toHaveLength(5);

    await project.write('pipeline.yaml', fixtureYaml());
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(await temps(project.dir)).toEqual([mine.slice(project.dir.length + 1)]);
  });

  it('gc removes a dead process\'s partial cache object at once', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    expect((await project.cli(['run'])).code).toBe(0);
    const objects = project.path('.pipeline/cache/objects');
    dieLeavingTemps([join(objects, 'x')]);
    expect(await temps(objects)).toHaveLength(2);
    const r = await project.cli(['gc']);
    expect(r.code, r.stderr).toBe(0);
    expect(await temps(objects)).toEqual([]);
  });

  it('gc takes the run lock before it reads pipeline.lock', async () => {
    project = await makeProject(baseFiles(fixtureYaml({ prepFlags: '--block' })));
    const running = project.spawnCli(['run']);
    await waitForFile(project.path('started-prep'));
    // Were the lock file read first, this would be reported instead of the run in progress.
    await project.write('pipeline.lock', 'stages: [\n');
    const r = await project.cli(['gc']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/Another `pipeline run` \(pid \d+/);
    await project.write('go-prep', '');
    await project.write('pipeline.lock', 'schema: 1\nstages: {}\n');
    expect((await running.done).code).toBe(0);
  });
});
