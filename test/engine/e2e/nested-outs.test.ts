/**
 * A stage whose outs overlap within itself — a directory out plus a metrics file inside it
 * (`outs: [reports/ex1]`, `metrics: [reports/ex1/metrics.json]`), as the experiments declare
 * them — through run, cache, status, a failed run's rollback and a restore from the run-cache.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, parseRunJson, statuses, type Project } from '../../helpers/project.ts';

/** Writes a figure and the metrics into reports/ex1; `--fail` leaves partial files and exits 3. */
const EX_SCRIPT = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
const { x } = JSON.parse(process.env.PIPELINE_PARAMS);
appendFileSync('counter.txt', process.env.PIPELINE_STAGE + '\\n');
mkdirSync('reports/ex1', { recursive: true });
writeFileSync('reports/ex1/fig.txt', 'figure x=' + x + '\\n');
if (process.argv.includes('--fail')) {
  writeFileSync('reports/ex1/metrics.json', 'partial');
  writeFileSync('reports/ex1/stray.txt', 'stray');
  process.exit(3);
}
writeFileSync('reports/ex1/metrics.json', JSON.stringify({ x, loss: 1 / x }) + '\\n');
`;

/** Reads the metrics of ex1 and writes a one-line summary. */
const SUM_SCRIPT = `
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
appendFileSync('counter.txt', process.env.PIPELINE_STAGE + '\\n');
const m = JSON.parse(readFileSync('reports/ex1/metrics.json', 'utf8'));
mkdirSync('out', { recursive: true });
writeFileSync('out/summary.txt', 'loss ' + m.loss + '\\n');
`;

function yaml(x: number, fail = false): string {
  return `params:
  x: ${x}
stages:
  ex1:
    cmd: node scripts/ex.mjs${fail ? ' --fail' : ''}
    params: [x]
    outs: [reports/ex1]
    metrics: [reports/ex1/metrics.json]
  summary:
    cmd: node scripts/sum.mjs
    deps: [reports/ex1/metrics.json]
    outs: [out/summary.txt]
`;
}

function files(x: number): Record<string, string> {
  return { 'package.json': '{ "type": "module", "private": true }\n', 'scripts/ex.mjs': EX_SCRIPT, 'scripts/sum.mjs': SUM_SCRIPT, 'pipeline.yaml': yaml(x) };
}

describe('pipeline run: a stage whose outs nest (a directory and a metrics file in it)', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('runs, caches, reports fresh, rolls back a failure and restores from the run-cache', async () => {
    project = await makeProject(files(1));
    const p = project;
    const status = async () => {
      const r = await p.cli(['status', '--json']);
      expect(r.code, r.stderr).toBe(0);
      return Object.fromEntries((JSON.parse(r.stdout) as { stages: { name: string; state: string }[] }).stages.map((s) => [s.name, s.state]));
    };

    const first = await p.cli(['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(statuses(first.stdout)).toEqual({ ex1: 'ran', summary: 'ran' });
    const lock = await p.read('pipeline.lock');
    expect(lock).toContain('path: reports/ex1\n');
    expect(lock).toContain('path: reports/ex1/metrics.json\n');
    const metrics1 = await p.read('reports/ex1/metrics.json');
    const fig1 = await p.read('reports/ex1/fig.txt');
    expect(await status()).toEqual({ ex1: 'fresh', summary: 'fresh' });

    const again = await p.cli(['run', '--json']);
    expect(statuses(again.stdout)).toEqual({ ex1: 'cached', summary: 'cached' });
    expect(await p.counter()).toEqual(['ex1', 'summary']);

    // A failure after partial writes inside both outs: everything is put back as it was.
    await p.write('pipeline.yaml', yaml(2, true));
    const failed = await p.cli(['run', '--json']);
    expect(failed.code).toBe(1);
    expect(parseRunJson(failed.stdout).stages.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(await p.read('reports/ex1/metrics.json')).toBe(metrics1);
    expect(await p.read('reports/ex1/fig.txt')).toBe(fig1);
    expect(p.exists('reports/ex1/stray.txt')).toBe(false);
    expect(await p.read('pipeline.lock')).toBe(lock);

    await p.write('pipeline.yaml', yaml(2));
    const changed = await p.cli(['run', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(statuses(changed.stdout)).toEqual({ ex1: 'ran', summary: 'ran' });
    expect(await p.read('reports/ex1/metrics.json')).toContain('"x":2');
    expect(await status()).toEqual({ ex1: 'fresh', summary: 'fresh' });

    // Back to x = 1: both stages come from the run-cache, the nested file included.
    await p.write('pipeline.yaml', yaml(1));
    expect(await status()).toEqual({ ex1: 'restorable', summary: 'changed' });
    const restored = await p.cli(['run', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(statuses(restored.stdout)).toEqual({ ex1: 'restored', summary: 'restored' });
    expect(await p.read('reports/ex1/metrics.json')).toBe(metrics1);
    expect(await p.read('reports/ex1/fig.txt')).toBe(fig1);
    expect(await p.read('pipeline.lock')).toBe(lock);
    expect(await status()).toEqual({ ex1: 'fresh', summary: 'fresh' });
    expect(await p.counter()).toEqual(['ex1', 'summary', 'ex1', 'ex1', 'summary']);

    // A hand edit of the nested file is seen as a change of that out.
    await p.write('reports/ex1/metrics.json', '{"x":1,"loss":0}\n');
    const explain = await p.cli(['explain', 'ex1', '--json']);
    expect(explain.code, explain.stderr).toBe(0);
    expect(JSON.parse(explain.stdout)).toMatchObject({ state: 'restorable' });
  }, 60_000);
});
