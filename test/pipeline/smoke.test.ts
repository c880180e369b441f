/**
 * The whole pipeline in the `smoke` profile, end to end, in a temp copy of the project (real
 * child processes, real files). It takes a minute or more on a busy 2-core machine, so it runs
 * only with SEQLAB_SMOKE=1; `.ci/run` runs the same profile on the checkout itself.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repo, 'bin/pipeline.js');
let root: string;

interface RunJson {
  ok: boolean;
  stages: { name: string; status: string; error?: string }[];
}

async function pipeline(...args: string[]): Promise<RunJson> {
  try {
    const { stdout } = await run('node', [cli, '-C', root, ...args, '--json'], { maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
    return JSON.parse(stdout) as RunJson;
  } catch (e) {
    const out = (e as { stdout?: string }).stdout;
    if (out) return JSON.parse(out) as RunJson;
    throw e;
  }
}

describe.runIf(process.env.SEQLAB_SMOKE === '1')('smoke pipeline', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'seqlab-smoke-'));
    // The sources the stages read; not the outputs of an earlier run (paper/generated, paper/build).
    const skip = new Set(['paper/generated', 'paper/build'].map((p) => path.join(repo, p)));
    for (const p of ['pipeline.yaml', 'package.json', 'tsconfig.json', 'lib', 'stages', 'paper']) {
      if (existsSync(path.join(repo, p))) await cp(path.join(repo, p), path.join(root, p), { recursive: true, filter: (src) => !skip.has(src) });
    }
    await symlink(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('runs every stage, compares and registers the models, then is fully cached', async () => {
    const first = await pipeline('run', '--profile', 'smoke', '-j', '2');
    const failed = first.stages.filter((s) => s.status !== 'ran');
    expect(failed).toEqual([]);
    expect(first.ok).toBe(true);
    for (const s of ['data-synthetic', 'train-ex1', 'train-ex2', 'theory', 'sweep-select', 'compare', 'promote']) {
      expect(first.stages.map((x) => x.name)).toContain(s);
    }

    const table = JSON.parse(await readFile(path.join(root, 'reports/compare.json'), 'utf8')) as { models: { model: string; fingerprint: string | null }[] };
    for (const m of ['ex1', 'ex2', 'sweep-best']) {
      expect(table.models.find((r) => r.model === m)?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    }
    // A profile keeps its state apart: its own lock and registry, never the default ones.
    expect(existsSync(path.join(root, 'pipeline.smoke.lock'))).toBe(true);
    expect(existsSync(path.join(root, 'pipeline.lock'))).toBe(false);
    expect(existsSync(path.join(root, 'models/registry.json'))).toBe(false);
    const registry = JSON.parse(await readFile(path.join(root, 'models/registry.smoke.json'), 'utf8')) as { models: Record<string, { versions: unknown[] }> };
    // One registered model per task (promote.tasks), each version from one of its members.
    expect(Object.keys(registry.models).sort()).toEqual(['classifier', 'date-translator', 'forecaster', 'g2p', 'spam', 'video']);
    const promotion = JSON.parse(await readFile(path.join(root, 'reports/promotion.json'), 'utf8')) as { decisions: unknown[] };
    expect(promotion.decisions.length).toBeGreaterThanOrEqual(3);

    const second = await pipeline('run', '--profile', 'smoke');
    expect(second.stages.filter((s) => s.status !== 'cached')).toEqual([]);
  }, 600_000);
});
