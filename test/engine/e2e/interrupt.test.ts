import { afterEach, describe, expect, it } from 'vitest';
import { baseFiles, makeProject, statuses, waitForFile, type Project } from '../../helpers/project.ts';
import { fixtureYaml, killRunnerMidStage } from './fixture.ts';

/** Kills a stage process the test left orphaned on purpose (SIGKILL of the runner). */
async function killStage(project: Project, name: string): Promise<void> {
  try {
    process.kill(Number(await project.read(`pid-${name}`)), 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('pipeline run: interruption and concurrency', () => {
  let project: Project | undefined;
  afterEach(async () => {
    if (project) await killStage(project, 'prep');
    await project?.remove();
    project = undefined;
  });

  it('SIGINT mid-stage rolls the stage back, keeps the lock and exits 1', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    expect((await project.cli(['run'])).code).toBe(0);
    const prepBefore = await project.read('out/prep.txt');
    const lockBefore = await project.read('pipeline.lock');
    await project.write('pipeline.yaml', fixtureYaml({ a: 2, prepFlags: '--block' }));
    const running = project.spawnCli(['run']);
    await waitForFile(project.path('started-prep'));
    expect(await project.read('out/prep.txt')).toBe('PARTIAL');
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Interrupted/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await project.read('out/prep.txt')).toBe(prepBefore);
    expect(await project.read('pipeline.lock')).toBe(lockBefore);
    expect(project.exists('.pipeline/run.lock')).toBe(false);
  });

  it('a second concurrent run gets a clear error; the first one finishes', async () => {
    project = await makeProject(baseFiles(fixtureYaml({ prepFlags: '--block' })));
    const first = project.spawnCli(['run']);
    await waitForFile(project.path('started-prep'));
    const second = await project.cli(['run']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already running|another .*run|is running/i);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    await project.write('go-prep', '');
    const r = await first.done;
    expect(r.code, r.stderr).toBe(0);
    expect(await project.counter()).toEqual(expect.arrayContaining(['prep', 'train', 'side']));
  });

  it('SIGKILL of the runner mid-stage leaves a state the next run repairs', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const prepBefore = await killRunnerMidStage(project);
    await killStage(project, 'prep');

    // Nothing of the interrupted attempt may count: status still sees the old, complete run.
    const status = await project.cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);

    await project.write('pipeline.yaml', fixtureYaml({ a: 1 }));
    const repaired = await project.cli(['run', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toMatch(/stale run lock/);
    expect(repaired.stderr).toMatch(/Recovered .*"prep"/);
    expect(await project.read('out/prep.txt')).toBe(prepBefore);
    expect(statuses(repaired.stdout)).toEqual({ prep: 'cached', train: 'cached', side: 'cached' });
    const again = await project.cli(['run', '--json']);
    expect(statuses(again.stdout)).toEqual({ prep: 'cached', train: 'cached', side: 'cached' });
  });
});
