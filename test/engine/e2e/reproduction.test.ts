import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type Project } from '../../helpers/project.ts';
import { profileYaml } from './fixture.ts';

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../scripts/check-reproduction.sh');
const run = promisify(execFile);

/** A stage whose out is deterministic unless NONDET is set (then it embeds the time, like a metrics file with `train_time_s`). */
const MAKE = `
import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('out', { recursive: true });
writeFileSync(process.argv[2], JSON.stringify({ params: process.env.PIPELINE_PARAMS, t: process.env.NONDET ? performance.now() + Math.random() : 0 }) + '\\n');
`;
const YAML = profileYaml();

async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  return (await run('git', args, { cwd, env })).stdout;
}

async function check(dir: string, env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  try {
    const r = await run('bash', [SCRIPT, '-C', dir, 'smoke'], { env: { ...process.env, CI: '1', NO_COLOR: '1', ...env } });
    return { code: 0, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stderr: string };
    return { code: x.code, stderr: x.stderr };
  }
}

describe('scripts/check-reproduction.sh', () => {
  let project: Project | undefined;
  const clones: string[] = [];
  afterEach(async () => {
    await project?.remove();
    project = undefined;
    await Promise.all(clones.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('passes without a committed lock (saying so), passes in a fresh clone that reproduces it, fails naming the stage and out that differ', async () => {
    project = await makeProject({ 'package.json': '{ "type": "module", "private": true }\n', 'make.js': MAKE, 'pipeline.yaml': YAML, '.gitignore': 'out/\n.pipeline/\n' });
    const dir = project.dir;
    await git(dir, 'init', '-q');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-qm', 'pipeline');

    const first = await check(dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('pipeline.smoke.lock is not committed');
    expect(project.exists('pipeline.lock')).toBe(false); // the smoke run left the default lock alone
    await git(dir, 'add', 'pipeline.smoke.lock');
    await git(dir, 'commit', '-qm', 'smoke lock');

    const clone = await mkdtemp(join(tmpdir(), 'seqlab-clone-'));
    clones.push(clone);
    await git(tmpdir(), 'clone', '-q', dir, clone);
    const same = await check(clone);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('reproduced every tracked file');

    const clone2 = await mkdtemp(join(tmpdir(), 'seqlab-clone-'));
    clones.push(clone2);
    await git(tmpdir(), 'clone', '-q', dir, clone2);
    const differs = await check(clone2, { NONDET: '1' });
    expect(differs.code).toBe(1);
    expect(differs.stderr).toContain('pipeline.smoke.lock');
    expect(differs.stderr).toMatch(/stage "make": out out\/a\.json: [0-9a-f]{12}… → [0-9a-f]{12}…/);
    expect(differs.stderr).toMatch(/stage "use": out out\/b\.json/);
  });

  it('refuses a work tree with uncommitted changes (exit 2)', async () => {
    project = await makeProject({ 'make.js': MAKE, 'pipeline.yaml': YAML });
    await git(project.dir, 'init', '-q');
    await git(project.dir, 'add', '-A');
    await git(project.dir, 'commit', '-qm', 'pipeline');
    await project.write('pipeline.yaml', YAML.replace('n: 100', 'n: 3'));
    const r = await check(project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('uncommitted changes');
  });
});
