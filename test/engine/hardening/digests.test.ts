/**
 * Finding 10 of issue 10: a stat-cache row whose digest is not hex never reaches pipeline.lock.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type Project } from '../../helpers/project.ts';

const yaml = (x: number) => `params:
  x: ${x}
stages:
  s:
    cmd: node -e "require('fs').writeFileSync('out.txt', require('fs').readFileSync('in.txt', 'utf8') + ${x})"
    deps: [in.txt]
    params: [x]
    outs: [out.txt]
`;

describe('digests from the stat cache', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('a non-hex digest in a stat-cache row is ignored and the file hashed again', async () => {
    project = await makeProject({ 'pipeline.yaml': yaml(1), 'in.txt': 'input\n' });
    // The dep's row is persisted only once its last change lies beyond the racy window.
    await new Promise((r) => setTimeout(r, 300));
    expect((await project.cli(['run'])).code).toBe(0);
    const file = '.pipeline/state/stat-cache.json';
    const cache = JSON.parse(await project.read(file));
    expect(cache.rows['in.txt']).toBeDefined();
    cache.rows['in.txt'][5] = 'z'.repeat(64);
    await project.write(file, JSON.stringify(cache));
    await project.write('pipeline.yaml', yaml(2));
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    const real = createHash('sha256').update('input\n').digest('hex');
    const lock = await project.read('pipeline.lock');
    expect(lock).not.toMatch(/zzzz/);
    expect(lock).toContain(`in.txt: ${real}`);
  });
});
