import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, parseRunJson, statuses, type Project } from '../../helpers/project.ts';
import { profileYaml } from './fixture.ts';

/**
 * A stage that writes its params and the profile it ran under, and reports a wall time through
 * the progress file (as `reportTiming` of lib/engine/stage.ts does) — a number that differs on
 * every run and so must never reach an out or the lock.
 */
const SCRIPT = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
const [out] = process.argv.slice(2);
mkdirSync('out', { recursive: true });
writeFileSync(out, JSON.stringify({ params: JSON.parse(process.env.PIPELINE_PARAMS), profile: process.env.PIPELINE_PROFILE }) + '\\n');
appendFileSync(process.env.PIPELINE_PROGRESS, JSON.stringify({ timings: { train: performance.now() / 1000 + Math.random(), bad: 'x' } }) + '\\n');
`;

const YAML = profileYaml({ dep: true });

const files = { 'package.json': '{ "type": "module", "private": true }\n', 'make.js': SCRIPT, 'pipeline.yaml': YAML };

describe('profiles: own lock, own state, deterministic outs', () => {
  const projects: Project[] = [];
  afterEach(async () => {
    await Promise.all(projects.splice(0).map((p) => p.remove()));
  });

  it('a profile run writes pipeline.<profile>.lock and leaves pipeline.lock alone; stages see PIPELINE_PROFILE', async () => {
    const p = await makeProject(files);
    projects.push(p);
    const def = await p.cli(['run', '--json']);
    expect(def.code, def.stderr).toBe(0);
    const lockBefore = await p.read('pipeline.lock');
    expect(JSON.parse(await p.read('out/a.json'))).toEqual({ params: { n: 100 }, profile: '' });

    const smoke = await p.cli(['run', '--profile', 'smoke', '--json']);
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(statuses(smoke.stdout)).toEqual({ make: 'ran', use: 'ran' });
    expect(await p.read('pipeline.lock')).toBe(lockBefore);
    expect(await p.read('pipeline.smoke.lock')).toContain('n: 2');
    expect(JSON.parse(await p.read('out/a.json'))).toEqual({ params: { n: 2 }, profile: 'smoke' });

    // Each profile is fresh against its own lock.
    const status = await p.cli(['status', '--profile', 'smoke', '--json']);
    expect(JSON.parse(status.stdout).stages.map((s: { state: string }) => s.state)).toEqual(['fresh', 'fresh']);
    // Back to the default: its lock still knows the default outs, which come back from the cache.
    const back = await p.cli(['run', '--json']);
    expect(statuses(back.stdout)).toEqual({ make: 'restored', use: 'restored' });
    expect(await p.read('pipeline.lock')).toBe(lockBefore);

    // gc keeps what every profile's lock refers to: the smoke outs still restore afterwards.
    expect((await p.cli(['gc'])).code).toBe(0);
    const again = await p.cli(['run', '--profile', 'smoke', '--json']);
    expect(statuses(again.stdout)).toEqual({ make: 'restored', use: 'restored' });
  });

  it('reported timings go to --json and the run log, not to outs: two cold runs give identical locks', async () => {
    const locks: string[] = [];
    for (let i = 0; i < 2; i++) {
      const p = await makeProject(files);
      projects.push(p);
      const r = await p.cli(['run', '--profile', 'smoke', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const make = parseRunJson(r.stdout).stages.find((s) => s.name === 'make') as { timings?: Record<string, unknown> };
      expect(Object.keys(make.timings ?? {})).toEqual(['train']); // the non-number was dropped
      const runLog = (await readFile(p.path('.pipeline/logs/runs.jsonl'), 'utf8')).trim().split('\n');
      expect(JSON.parse(runLog.at(-1)!).stages[0].timings.train).toBe(make.timings?.train);
      locks.push(await p.read('pipeline.smoke.lock'));
    }
    expect(locks[1]).toBe(locks[0]);
  });

  it('refuses a profile name that is not a plain word (it names a lock file)', async () => {
    const p = await makeProject({ ...files, 'pipeline.yaml': YAML.replace('smoke: { n: 2 }', '"../x": { n: 2 }') });
    projects.push(p);
    const r = await p.cli(['run', '--profile', '../x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pipeline.yaml:');
  });
});
