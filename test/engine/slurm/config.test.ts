import { afterEach, describe, expect, it } from 'vitest';
import { sbatchOptions } from '../../../lib/engine/exec/slurm.ts';
import { makeProject, type Project } from '../../helpers/project.ts';

/** What needs no cluster: resources → sbatch options, and the config/CLI checks of executor and resources. */
describe('Slurm executor: configuration', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('maps resources to sbatch options (gpus: 0 asks for none)', () => {
    expect(sbatchOptions({ cpus: 2, mem: '4G', time: '1:00:00', gpus: 1, partition: 'gpu' })).toEqual([
      '--cpus-per-task=2', '--mem=4G', '--time=1:00:00', '--gpus=1', '--partition=gpu',
    ]);
    expect(sbatchOptions({ gpus: 0 })).toEqual([]);
    expect(sbatchOptions(undefined)).toEqual([]);
  });

  it('refuses a malformed resource (located) and an unknown executor', async () => {
    project = await makeProject({
      'pipeline.yaml': 'executor: slurm\nstages:\n  a:\n    cmd: "true"\n    resources: { mem: lots }\n',
    });
    const bad = await project.cli(['run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('pipeline.yaml:5:');
    expect(bad.stderr).toContain('a size such as 512M or 4G');

    await project.write('pipeline.yaml', 'executor: cluster\nstages:\n  a:\n    cmd: "true"\n');
    const exec = await project.cli(['run']);
    expect(exec.code).toBe(2);
    expect(exec.stderr).toContain('pipeline.yaml:1:');

    await project.write('pipeline.yaml', 'stages:\n  a:\n    cmd: "true"\n');
    const flag = await project.cli(['run', '--executor', 'slrum']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Did you mean "slurm"?');
  });
});
