import { afterEach, describe, expect, it } from 'vitest';
import { baseFiles, makeProject, statuses, type Project } from '../../helpers/project.ts';
import { fixtureYaml } from './fixture.ts';

describe('pipeline run: caching', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('runs everything once, then nothing; a param change reruns exactly its stage and downstream; reverting restores', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const first = await project.cli(['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(statuses(first.stdout)).toEqual({ prep: 'ran', train: 'ran', side: 'ran' });
    expect((await project.counter()).sort()).toEqual(['prep', 'side', 'train']);
    const trainOut = await project.read('out/train.txt');
    expect(trainOut).toContain('[train]');
    expect(trainOut).toContain('[prep]');

    const second = await project.cli(['run', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(statuses(second.stdout)).toEqual({ prep: 'cached', train: 'cached', side: 'cached' });
    expect(await project.counter()).toHaveLength(3);

    await project.write('pipeline.yaml', fixtureYaml({ a: 2 }));
    const changed = await project.cli(['run', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(statuses(changed.stdout)).toEqual({ prep: 'ran', train: 'ran', side: 'cached' });
    expect((await project.counter()).slice(3)).toEqual(['prep', 'train']);
    expect(await project.read('out/prep.txt')).toContain('"a":2');

    await project.write('pipeline.yaml', fixtureYaml({ a: 1 }));
    const reverted = await project.cli(['run', '--json']);
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(statuses(reverted.stdout)).toEqual({ prep: 'restored', train: 'restored', side: 'cached' });
    expect(await project.counter()).toHaveLength(5);
    expect(await project.read('out/train.txt')).toBe(trainOut);
  });

  it('editing an imported module reruns exactly the stages whose scripts import it', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    expect((await project.cli(['run'])).code).toBe(0);
    await project.write('lib/tag.js', `export function tag(name) { return '<' + name + '>'; }\n`);
    const r = await project.cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ prep: 'ran', train: 'ran', side: 'cached' });
    expect((await project.counter()).slice(3).sort()).toEqual(['prep', 'train']);
  });

  it('--set overrides a param for one run; --dry-run executes nothing', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    expect((await project.cli(['run'])).code).toBe(0);
    const dry = await project.cli(['run', '--dry-run', '--set', 'c=5']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^run\s+side/m);
    expect(dry.stdout).toMatch(/^fresh\s+prep/m);
    expect(await project.counter()).toHaveLength(3);
    const set = await project.cli(['run', '--json', '--set', 'c=5']);
    expect(statuses(set.stdout)).toEqual({ prep: 'cached', train: 'cached', side: 'ran' });
    expect(await project.read('out/side.txt')).toContain('"c":5');
  });

  it('a target runs with its upstream only; --force reruns a fresh stage', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const r = await project.cli(['run', 'train', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ prep: 'ran', train: 'ran' });
    const forced = await project.cli(['run', 'prep', '--force', '--json']);
    expect(statuses(forced.stdout)).toEqual({ prep: 'ran' });
    expect(await project.counter()).toEqual(['prep', 'train', 'prep']);
  });
});
