/**
 * Finding 4 of issue 10: a file out nested in a directory out declared after it
 * (`metrics: [d/m.json]`, `plots: [d]`) survives a failing run after a successful one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type Project } from '../../helpers/project.ts';

/** Writes d/fig.txt and d/m.json from param x; with --fail, writes partial files and exits 3. */
const SCRIPT = `
import { mkdirSync, writeFileSync } from 'node:fs';
const { x } = JSON.parse(process.env.PIPELINE_PARAMS);
mkdirSync('d', { recursive: true });
writeFileSync('d/fig.txt', 'fig ' + x);
writeFileSync('d/m.json', process.argv.includes('--fail') ? 'partial' : JSON.stringify({ x }));
if (process.argv.includes('--fail')) process.exit(3);
`;

const yaml = (x: number, fail: boolean) => `params:
  x: ${x}
stages:
  s:
    cmd: node s.mjs${fail ? ' --fail' : ''}
    params: [x]
    metrics: [d/m.json]
    plots: [d]
`;

describe('nested outs declared child first', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('a failing run after a successful one puts back the directory and the file in it', async () => {
    project = await makeProject({ 'package.json': '{ "type": "module" }\n', 's.mjs': SCRIPT, 'pipeline.yaml': yaml(1, false) });
    const ok = await project.cli(['run']);
    expect(ok.code, ok.stderr).toBe(0);
    await project.write('pipeline.yaml', yaml(2, true));
    const failed = await project.cli(['run']);
    expect(failed.code).toBe(1);
    expect(await project.read('d/m.json')).toBe('{"x":1}');
    expect(await project.read('d/fig.txt')).toBe('fig 1');
    await project.write('pipeline.yaml', yaml(1, false));
    const again = await project.cli(['status', '--json']);
    expect(JSON.parse(again.stdout).stages[0].state).toBe('fresh');
  });
});
