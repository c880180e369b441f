/**
 * Finding 5: YAML aliases — a "billion laughs" bomb or an undefined alias in pipeline.yaml, in a
 * `--set` value or in pipeline.lock — are located errors (exit 2), never a ReferenceError.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type CliResult, type Project } from '../../helpers/project.ts';

/** Nine aliases of nine aliases of …: 9^5 values from a few lines. */
const BOMB = `a: &a [x, x, x, x, x, x, x, x, x]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]`;

const STAGE = `stages:
  a:
    cmd: echo hi > out.txt
    params: [n]
    outs: [out.txt]
`;

function expectLocated(r: CliResult, where: RegExp, what: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(where);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(/ReferenceError|internal error|\n\s+at /);
}

describe('YAML aliases', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('an alias bomb in pipeline.yaml is refused at the first alias of an anchor that holds aliases', async () => {
    project = await makeProject({ 'pipeline.yaml': `params:\n  n: 1\n  ${BOMB}\n${STAGE}` });
    const r = await project.cli(['status']);
    expectLocated(r, /pipeline\.yaml:5:10 /, /YAML aliases expand to too many values/);
  });

  it('an undefined alias in pipeline.yaml is located', async () => {
    project = await makeProject({ 'pipeline.yaml': `params:\n  n: *nope\n${STAGE}` });
    const r = await project.cli(['run']);
    expectLocated(r, /pipeline\.yaml:2:6 /, /Undefined YAML alias "\*nope": no anchor "&nope" comes before it\./);
    expect(project.exists('out.txt')).toBe(false);
  });

  it('aliases in a --set value: undefined or a bomb, each a plain error naming the argument', async () => {
    project = await makeProject({ 'pipeline.yaml': `params:\n  n: 1\n${STAGE}` });
    const undef = await project.cli(['run', '--set', 'n=[*x]']);
    expectLocated(undef, /--set "n=\[\*x\]": Undefined YAML alias "\*x"/, /error/);
    const bomb = '[&a [1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], [*c,*c,*c,*c,*c,*c,*c,*c,*c]]';
    expectLocated(await project.cli(['status', '--set', `n=${bomb}`]), /--set "n=\[&a/, /too many values/);
    // An anchor used within the limit still works.
    expect((await project.cli(['run', '--set', 'n=[&a 1, *a]'])).code).toBe(0);
  });

  it('an alias bomb or undefined alias in pipeline.lock gets the corrupt-lock treatment', async () => {
    project = await makeProject({ 'pipeline.yaml': `params:\n  n: 1\n${STAGE}` });
    expect((await project.cli(['run'])).code).toBe(0);
    const lock = await project.read('pipeline.lock');
    await project.write('pipeline.lock', `x:\n  ${BOMB}\n${lock}`);
    expectLocated(await project.cli(['run']), /pipeline\.lock:4:10 /, /pipeline\.lock: YAML aliases expand to too many values[\s\S]*Restore pipeline\.lock from git/);
    await project.write('pipeline.lock', lock.replace(/cmd: .*/, 'cmd: *gone'));
    expectLocated(await project.cli(['status']), /pipeline\.lock:\d+:\d+ pipeline\.lock: Undefined YAML alias "\*gone"/, /Restore pipeline\.lock from git/);
  });

  it('params diff against a revision whose pipeline.yaml has an alias bomb: a warning, not a stack', async () => {
    project = await makeProject({ 'pipeline.yaml': `params:\n  n: 1\n  ${BOMB}\n${STAGE}` });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: project!.dir, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'bomb');
    await project.write('pipeline.yaml', `params:\n  n: 2\n${STAGE}`);
    const r = await project.cli(['params', 'diff']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: pipeline\.yaml at HEAD does not parse \(YAML aliases expand to too many values/);
    expect(r.stderr).not.toMatch(/ReferenceError|internal error|\n\s+at /);
  });
});
