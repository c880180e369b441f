/**
 * Finding 14: an empty pipeline.yaml, and a NUL byte in a command (literal or interpolated) or
 * in a dep or out path, are refused at load time with a located error — before anything runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type Project } from '../../helpers/project.ts';

describe('refused at load time', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('an empty pipeline.yaml (or only comments) is an error, exit 2, for every verb that loads it', async () => {
    for (const text of ['', '# to do\n\n']) {
      project = await makeProject({ 'pipeline.yaml': text });
      for (const verb of ['run', 'status', 'dag']) {
        const r = await project.cli([verb]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^error: pipeline\.yaml:1:1 The file is empty: it defines no stages\./m);
      }
      await project.remove();
    }
  });

  it('a NUL byte in a command, literal or from a param, and in a dep or out path: located, nothing runs', async () => {
    project = await makeProject({
      'pipeline.yaml': [
        'params:', '  z: "a\\0b"', 'stages:',
        '  a:', '    cmd: "touch ran-a \\0"', '    outs: ["o\\0x"]',
        '  b:', '    cmd: touch ran-b ${z}', '    params: [z]', '    deps: ["d\\0"]', '',
      ].join('\n'),
    });
    const r = await project.cli(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipeline\.yaml:5:10 Stage "a": the command contains a NUL byte/);
    expect(r.stderr).toMatch(/pipeline\.yaml:6:12 Stage "a": out "o\\0x" contains a NUL byte/);
    expect(r.stderr).toMatch(/pipeline\.yaml:8:10 Stage "b": the command contains a NUL byte/);
    expect(r.stderr).toMatch(/pipeline\.yaml:10:12 Stage "b": dep "d\\0" contains a NUL byte/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(project.exists('ran-a') || project.exists('ran-b')).toBe(false);
  });
});
