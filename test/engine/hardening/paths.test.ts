/**
 * Findings 1 and 2 of issue 10: reserved paths and symlinks leading outside the project are
 * refused at load time with a located message (exit 2, no stack trace), and an interrupted run
 * is repaired even when the config no longer loads.
 */
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseFiles, makeProject, type Project } from '../../helpers/project.ts';
import { fixtureYaml, killRunnerMidStage } from '../e2e/fixture.ts';

const stage = (field: string, p: string) => `stages:
  s:
    cmd: node -e "0"
    ${field}: ['${p}']
`;

describe('reserved and escaping deps and outs', () => {
  let project: Project | undefined;
  let outside: string | undefined;
  afterEach(async () => {
    await project?.remove();
    if (outside) await rm(outside, { recursive: true, force: true });
    project = outside = undefined;
  });

  it.each([
    ['outs', '.git'],
    ['outs', '.git/hooks/x'],
    ['outs', '.pipeline'],
    ['outs', '.pipeline/cache'],
    ['outs', 'pipeline.yaml'],
    ['outs', 'pipeline.lock'],
    ['metrics', 'pipeline.smoke.lock'],
    ['deps', '.pipeline/state/stat-cache.json'],
    ['deps', 'pipeline.lock'],
  ])('%s: %s is refused at load time with its location', async (field, p) => {
    // A dep exists, so that only the reserved name can be what is refused.
    project = await makeProject({ 'pipeline.yaml': stage(field, p), '.git/HEAD': 'ref: refs/heads/main\n', ...(field === 'deps' ? { [p]: 'x\n' } : {}) });
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`pipeline\\.yaml:4:\\d+ Stage "s": (dep|out) "${p.replace(/\./g, '\\.')}"`));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(await project.read('.git/HEAD')).toBe('ref: refs/heads/main\n');
  });

  it('refuses deps and outs reached through a symlink that leads outside the project', async () => {
    outside = await mkdtemp(join(tmpdir(), 'seqlab-outside-'));
    await writeFile(join(outside, 'precious.txt'), 'keep me\n');
    project = await makeProject({
      'pipeline.yaml': `stages:
  w:
    cmd: node -e "require('fs').writeFileSync('link/precious.txt', 'clobbered')"
    outs: [link/precious.txt]
  r:
    cmd: node -e "0"
    deps: [link/precious.txt, inner/ok.txt]
    outs: [inner/made.txt]
`,
      'real/ok.txt': 'ok\n',
    });
    await symlink(outside, project.path('link'));
    await symlink('real', project.path('inner'));
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/pipeline\.yaml:4:\d+ Stage "w": out "link\/precious\.txt" leads outside the project root through a symlink/);
    expect(r.stderr).toMatch(/pipeline\.yaml:7:\d+ Stage "r": dep "link\/precious\.txt" leads outside/);
    // A symlink to a directory inside the project is fine.
    expect(r.stderr).not.toMatch(/"inner\//);
    expect(await readFile(join(outside, 'precious.txt'), 'utf8')).toBe('keep me\n');
  });

  it('refuses an out under a file, which could never be created, without a stack trace', async () => {
    project = await makeProject({ 'pipeline.yaml': stage('outs', 'f.txt/x'), 'f.txt': 'a file\n' });
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/pipeline\.yaml:4:\d+ Stage "s": out "f\.txt\/x" cannot be created: a file lies where one of its directories should be/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(await project.read('f.txt')).toBe('a file\n');
  });

  it('refuses an out that reaches a reserved path through a symlink inside the project', async () => {
    project = await makeProject({ 'pipeline.yaml': stage('outs', 'state/x'), '.pipeline/keep': '' });
    await symlink('.pipeline', project.path('state'));
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/pipeline\.yaml:4:\d+ Stage "s": out "state\/x" leads through a symlink to "\.pipeline\/x"/);
  });

  it('rolls back an interrupted run even when the config no longer loads', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const prepBefore = await killRunnerMidStage(project);
    await project.write('pipeline.yaml', 'stages:\n  prep: [\n');
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/Recovered .*"prep"/);
    // The orphaned stage was stopped and its half-written out replaced by the previous one.
    expect(await project.read('out/prep.txt')).toBe(prepBefore);
    expect(await readdir(project.path('.pipeline/tmp/txn')).catch(() => [])).toEqual([]);
  });
});
