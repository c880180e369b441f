/**
 * Finding 3 of issue 10: run-cache records and lock entries are checked against the stage
 * before their paths are followed; an invalid one is ignored with a warning and removed.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, statuses, type Project } from '../../helpers/project.ts';

const yaml = (x: number) => `params:
  x: ${x}
stages:
  s:
    cmd: node -e "require('fs').writeFileSync('a.txt', 'x=' + JSON.parse(process.env.PIPELINE_PARAMS).x)"
    params: [x]
    outs: [a.txt]
`;

const RUNS = '.pipeline/cache/runs';

/** Runs x=1 then x=2, and returns the run record file of x=1 (the one x=2 did not write). */
async function twoRuns(project: Project): Promise<string> {
  expect((await project.cli(['run'])).code).toBe(0);
  const first = await readdir(project.path(RUNS));
  await project.write('pipeline.yaml', yaml(2));
  expect((await project.cli(['run'])).code).toBe(0);
  expect(first).toHaveLength(1);
  return join(project.path(RUNS), first[0]!);
}

describe('run-cache records and lock entries are validated before use', () => {
  let project: Project | undefined;
  let escaped: string | undefined;
  afterEach(async () => {
    await project?.remove();
    if (escaped) await rm(escaped, { force: true });
    project = escaped = undefined;
  });

  it('a record whose out leaves the project is removed with a warning, and the stage reruns', async () => {
    project = await makeProject({ 'pipeline.yaml': yaml(1) });
    const record = await twoRuns(project);
    escaped = join(dirname(project.dir), `${basename(project.dir)}-escaped.txt`);
    const rec = JSON.parse(await readFile(record, 'utf8'));
    rec.outs[0].path = `../${basename(escaped)}`;
    await writeFile(record, JSON.stringify(rec));
    await project.write('pipeline.yaml', yaml(1));
    const r = await project.cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ s: 'ran' });
    expect(r.stderr).toMatch(/Run-cache record .* was ignored and removed: out path "\.\.\/.*" does not stay inside the project/);
    expect(existsSync(escaped)).toBe(false);
    expect(await project.read('a.txt')).toBe('x=1');
    // The new run recorded itself afresh under the same fingerprint, with the right out.
    expect(JSON.parse(await readFile(record, 'utf8')).outs.map((o: { path: string }) => o.path)).toEqual(['a.txt']);
  });

  it('a record naming outs other than the declared ones is not restored', async () => {
    project = await makeProject({ 'pipeline.yaml': yaml(1) });
    const record = await twoRuns(project);
    const rec = JSON.parse(await readFile(record, 'utf8'));
    rec.outs[0].path = 'b.txt';
    await writeFile(record, JSON.stringify(rec));
    await project.write('pipeline.yaml', yaml(1));
    const r = await project.cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ s: 'ran' });
    expect(r.stderr).toMatch(/its outs \(b\.txt\) are not the stage's declared outs \(a\.txt\)/);
    expect(project.exists('b.txt')).toBe(false);
    expect(await project.read('a.txt')).toBe('x=1');
  });

  it('a lock entry whose out leaves the project is ignored with a warning and rewritten', async () => {
    project = await makeProject({ 'pipeline.yaml': yaml(1) });
    expect((await project.cli(['run'])).code).toBe(0);
    const lock = await project.read('pipeline.lock');
    await project.write('pipeline.lock', lock.replace('path: a.txt', 'path: ../a.txt'));
    const status = await project.cli(['status']);
    expect(status.stderr).toMatch(/pipeline\.lock: the entry of stage "s" was ignored: out path "\.\.\/a\.txt" does not stay inside the project/);
    const r = await project.cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the entry of stage "s" was ignored/);
    expect(await project.read('pipeline.lock')).toBe(lock);
  });
});
