/**
 * The thin stage scripts, run as the engine runs them (a child process with PIPELINE_ROOT set)
 * on the fixture tree: they find their inputs and write exactly their declared outs.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReportsFixture } from './fixtures.ts';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = path.join(repo, 'node_modules/.bin/tsx');

let root: string;
beforeAll(async () => {
  root = await makeReportsFixture();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function stage(script: string): Promise<string> {
  const env = { ...process.env, PIPELINE_ROOT: root, PIPELINE_STAGE: script, PIPELINE_PARAMS: '{}', PIPELINE_ITEM: '{}' };
  const { stdout } = await run(tsx, [path.join(repo, 'stages', `${script}.ts`)], { cwd: root, env });
  return stdout;
}

describe('figure, numbers and report stages', () => {
  it('figures-ex3 → paper-numbers → report, each into its own outs', async () => {
    expect(await stage('figures-ex3')).toContain('figures-ex3: ex3-frames, ex3-frame-error, ablation, ex3-learning-curves');
    expect((await readdir(path.join(root, 'reports/figures/ex3'))).sort()).toEqual(['ablation.svg', 'ex3-frame-error.svg', 'ex3-frames.svg', 'ex3-learning-curves.svg', 'figures.json']);
    expect(await stage('paper-numbers')).toContain('wrote paper/generated/numbers.tex');
    expect((await readdir(path.join(root, 'paper/generated'))).sort()).toEqual(['fig-ex3', 'numbers.tex', 'published.tex', 'tables']);
    expect(await stage('report')).toMatch(/report: 4 figures \(ex3\)/);
    expect(await readFile(path.join(root, 'reports/index.html'), 'utf8')).toContain('<svg class="fig"');
  }, 120_000);

  it('paper-numbers fails naming the file and key when a quoted metric is missing, and keeps the previous numbers', async () => {
    const numbers = path.join(root, 'paper/generated/numbers.tex');
    const before = await readFile(numbers, 'utf8');
    const file = path.join(root, 'reports/ex2/metrics.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    delete doc.attention_mass_span;
    doc.test_mse = 0.9;
    await writeFile(file, JSON.stringify(doc));
    const failed = await stage('paper-numbers').then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('\\exTwoSpan (exercise 2 attention mass span (fewest steps holding 90% of the weight)): reports/ex2/metrics.json has no "attention_mass_span".');
    expect(await readFile(numbers, 'utf8')).toBe(before);
  }, 60_000);
});
