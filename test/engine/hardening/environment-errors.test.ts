/**
 * Finding 6 of the hardening issue: what the machine refuses (a full disk, a name too long, a
 * directory where a file belongs, a symlink loop) is a plain `error:` with the path, the cause
 * and a fix — never "internal error" and a stack trace. Real files, real CLI processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, makeProject, type CliResult, type Project } from '../../helpers/project.ts';
import { canMountTmpfs, mountTmpfs } from '../../helpers/tmpfs.ts';

const STAGE = `stages:
  a:
    cmd: cat in.txt > out.txt
    deps: [in.txt]
    outs: [out.txt]
`;

/** No stack frame, no "internal error": what a user or a full disk causes is said plainly. */
function expectPlain(r: CliResult): void {
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('environment errors are user errors', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('a 300-character stage name runs: its log name is shortened with a digest to fit the file system', async () => {
    const name = 'x'.repeat(300);
    project = await makeProject({ 'pipeline.yaml': `stages:\n  ${name}:\n    cmd: echo hi > out.txt\n    outs: [out.txt]\n` });
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(await project.read('out.txt')).toBe('hi\n');
    const logs = (await readdir(project.path('.pipeline/logs'))).filter((f) => f.startsWith('x'));
    expect(logs).toEqual([expect.stringMatching(/^x{200}-[0-9a-f]{16}\.log$/)]);
    expect((await project.cli(['run'])).stderr).toMatch(/1 cached/);
  });

  it('an out whose file name is too long (ENAMETOOLONG): said plainly, and the other outs are untouched', async () => {
    const long = 'y'.repeat(300);
    project = await makeProject({ 'pipeline.yaml': `stages:\n  a:\n    cmd: echo hi > out.txt\n    outs: [out.txt, d/${long}]\n`, 'out.txt': 'before\n' });
    const r = await project.cli(['run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Stage "a": Cannot look at d/${long}: the name is too long for the file system\\. Use a shorter stage name or path\\.`));
    expectPlain(r);
    expect(await project.read('out.txt')).toBe('before\n');
  });

  it('pipeline.lock is a directory: error: with the path, exit 1, for run and status', async () => {
    project = await makeProject({ 'pipeline.yaml': STAGE, 'in.txt': 'x\n' });
    await mkdir(project.path('pipeline.lock'));
    for (const verb of ['run', 'status']) {
      const r = await project.cli([verb]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: Cannot read pipeline\.lock: it is a directory where a file belongs\.\n {2}Move the directory away/m);
      expectPlain(r);
    }    // --json still prints its one document.
    const json = await project.cli(['status', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, errors: [{ severity: 'error', file: 'pipeline.lock', code: 'EISDIR', message: expect.stringMatching(/^Cannot read pipeline\.lock: it is a directory/) }] });
  });

  it('the stat cache is a directory: the run says which file and how to fix it', async () => {
    project = await makeProject({ 'pipeline.yaml': STAGE, 'in.txt': 'x\n' });
    // Old enough to be outside the racy window, so that its digest enters the stat cache.
    await utimes(project.path('in.txt'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect((await project.cli(['run'])).code).toBe(0);
    const statCache = project.path('.pipeline/state/stat-cache.json');
    await unlink(statCache);
    await mkdir(statCache);
    const r = await project.cli(['run', '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Cannot move \S+ to \S*\.pipeline\/state\/stat-cache\.json: it is a directory where a file belongs\./);
    expectPlain(r);
  });

  it('a cache object is a directory: the stage fails plainly and its previous out comes back', async () => {
    project = await makeProject({ 'pipeline.yaml': STAGE, 'in.txt': 'x\n' });
    expect((await project.cli(['run'])).code).toBe(0);
    const objects = project.path('.pipeline/cache/objects');
    const [fan] = await readdir(objects);
    const [obj] = await readdir(join(objects, fan!));
    await unlink(join(objects, fan!, obj!));
    await mkdir(join(objects, fan!, obj!));
    const r = await project.cli(['run', '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Stage "a": Cannot move \\S+ to \\.pipeline/cache/objects/${fan}/${obj}: it is a directory where a file belongs\\.`));
    expectPlain(r);
    expect(await project.read('out.txt')).toBe('x\n');
  });

  it('a symlink loop among the deps: the path and the loop, no stack', async () => {
    project = await makeProject({ 'pipeline.yaml': STAGE.replaceAll('in.txt', 'l1/x') });
    await symlink('l2', project.path('l1'));
    await symlink('l1', project.path('l2'));
    for (const verb of ['run', 'status']) {
      const r = await project.cli([verb]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/l1\/x: symbolic links on the path point at each other in a loop\./);
      expectPlain(r);
    }
  });

  // Skipped only where mounting is not allowed (not root, or a container without CAP_SYS_ADMIN).
  it.skipIf(!canMountTmpfs)('a full disk (a real 1 MiB tmpfs): the stage fails plainly, nothing is recorded', () => {
    const tmpfs = mountTmpfs('1m')!;
    const dir = tmpfs.dir;
    try {
      // 700 kB fit once, not twice: the stage writes its out, the copy into the cache runs out of space.
      writeFileSync(join(dir, 'pipeline.yaml'), 'stages:\n  big:\n    cmd: head -c 700000 /dev/zero > big.bin\n    outs: [big.bin]\n');
      const r = spawnSync(process.execPath, [CLI, '-C', dir, 'run'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/Stage "big": Cannot copy big\.bin to \.pipeline\/cache\/objects\/\S+: the disk is full\. Free some space/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(existsSync(join(dir, 'pipeline.lock'))).toBe(false);
    } finally {
      tmpfs.unmount();
    }
  });
});
