/**
 * Finding 9 of issue 10: permission bits of outs survive the cache and a restore, and a private
 * out is not cached world-readable.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, statuses, type Project } from '../../helpers/project.ts';

const SCRIPT = `
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
const { x } = JSON.parse(process.env.PIPELINE_PARAMS);
writeFileSync('secret.txt', 'secret ' + x);
chmodSync('secret.txt', 0o600);
mkdirSync('d', { recursive: true });
writeFileSync('d/key', 'key ' + x);
chmodSync('d/key', 0o600);
writeFileSync('d/tool.sh', '#!/bin/sh\\necho ' + x + '\\n');
chmodSync('d/tool.sh', 0o750);
writeFileSync('d/plain.txt', 'plain ' + x);
chmodSync('d/plain.txt', 0o644);
`;

const yaml = (x: number) => `params:
  x: ${x}
stages:
  s:
    cmd: node s.mjs
    params: [x]
    outs: [secret.txt, d]
`;

const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8);

describe('permission bits of outs', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('a 0600 out stays 0600 through cache and restore, and so do the files of a directory out', async () => {
    project = await makeProject({ 'package.json': '{ "type": "module" }\n', 's.mjs': SCRIPT, 'pipeline.yaml': yaml(1) });
    expect((await project.cli(['run'])).code).toBe(0);
    const secret = await project.read('secret.txt');
    const object = (text: string) => {
      const d = createHash('sha256').update(text).digest('hex');
      return project!.path(`.pipeline/cache/objects/${d.slice(0, 2)}/${d.slice(2)}`);
    };
    // The cached copy is no more readable than the out.
    expect(Number.parseInt(await mode(object(secret)), 8) & 0o044).toBe(0);
    await project.write('pipeline.yaml', yaml(2));
    expect((await project.cli(['run'])).code).toBe(0);
    await project.write('pipeline.yaml', yaml(1));
    const r = await project.cli(['run', '--json']);
    expect(statuses(r.stdout)).toEqual({ s: 'restored' });
    expect(await project.read('secret.txt')).toBe(secret);
    expect(await mode(project.path('secret.txt'))).toBe('600');
    expect(await mode(project.path('d/key'))).toBe('600');
    expect(await mode(project.path('d/tool.sh'))).toBe('750');
    expect(await mode(project.path('d/plain.txt'))).toBe('644');
    // Recorded in the run-cache record where they differ from the default, never in the lock,
    // which must not depend on the umask of whoever ran the stage.
    const runs = project.path('.pipeline/cache/runs');
    const records = await Promise.all((await readdir(runs)).map((f) => readFile(join(runs, f), 'utf8')));
    expect(records.every((r) => r.includes('"mode":"600"') && r.includes('"modes":{"key":"600","tool.sh":"750"}'))).toBe(true);
    expect(await readFile(project.path('pipeline.lock'), 'utf8')).not.toMatch(/mode/);
  });
});
