import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { collect, primaryMetric, run as compare, toMarkdown } from '../../lib/registry/compare.ts';
import { run as promote } from '../../lib/registry/promote.ts';
import { REGISTRY_FILE, loadRegistry, readLog } from '../../lib/registry/index.ts';
import { readJson, tempDir } from '../experiments/helpers.ts';

/** A project with two models, a nested sweep member and a pipeline.lock naming their stages. */
async function project(acc: number, mse: number, fp: string): Promise<string> {
  const root = await tempDir('compare');
  const write = async (rel: string, text: string) => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  };
  await setMetrics(root, acc, mse);
  await write('reports/sweep/0.1-8/metrics.json', JSON.stringify({ task: 'classification', test_accuracy: 0.5, val_accuracy: 0.6 }));
  await write('reports/notes/metrics.json', '{ not json');
  await write('models/ex1/weights.bin', 'w1');
  await write('models/ex2/weights.bin', 'w2');
  await write('pipeline.lock', lock(fp));
  return root;
}

async function setMetrics(root: string, acc: number, mse: number): Promise<void> {
  for (const [m, body] of [
    ['ex1', { model: 'ex1', task: 'classification', test_accuracy: acc, val_accuracy: 0.9, test_samples: 150, backend: { name: 'wasm', version: '4.22.0' }, train_time_s: 12.5 }],
    ['ex2', { model: 'ex2', task: 'regression', test_mse: mse, test_mae: 0.2, train_time_s: 30 }],
  ] as const) {
    await mkdir(path.join(root, 'reports', m), { recursive: true });
    await writeFile(path.join(root, 'reports', m, 'metrics.json'), JSON.stringify(body));
  }
}

function lock(fp: string): string {
  const entry = (outs: string[], f: string) => ({ cmd: 'x', fingerprint: f, params: {}, deps: {}, code: {}, runtime: {}, outs: outs.map((p) => ({ path: p, kind: 'file', digest: 'd', size: 1 })) });
  return stringify({
    schema: 1,
    stages: {
      'train-ex1': entry(['models/ex1', 'reports/ex1/metrics.json'], `${fp}1`),
      'train-ex2': entry(['models/ex2', 'reports/ex2/metrics.json'], `${fp}2`),
    },
  });
}

describe('compare', () => {
  it('has one row per metrics file, with stage, fingerprint and model dir from the lock', async () => {
    const root = await project(0.88, 0.18, 'aaaa');
    const rows = await collect({ root });
    expect(rows.map((r) => r.model)).toEqual(['ex1', 'ex2', 'sweep/0.1-8']);
    expect(rows[0]).toMatchObject({
      task: 'classification', primary: { metric: 'test_accuracy', direction: 'max', value: 0.88 }, backend: 'wasm 4.22.0',
      trainTimeS: 12.5, stage: 'train-ex1', fingerprint: 'aaaa1', modelDir: 'models/ex1',
    });
    expect(rows[1]).toMatchObject({ primary: { metric: 'test_mse', direction: 'min', value: 0.18 }, stage: 'train-ex2' });
    expect(rows[2]).toMatchObject({ stage: null, fingerprint: null, modelDir: null });
    const md = toMarkdown(rows);
    expect(md).toContain('| ex1 | classification | test_accuracy 0.88 | — | wasm 4.22.0 | 12.5 | train-ex1 | `aaaa1` |');
    expect(md).toContain('| ex2 | regression | test_mse 0.18 | mae 0.2 |');
    await compare({ root }, { outDir: path.join(root, 'reports') });
    expect((await readJson<{ models: unknown[] }>(path.join(root, 'reports/compare.json'))).models).toHaveLength(3);
    expect(await readFile(path.join(root, 'reports/compare.md'), 'utf8')).toBe(md);
  });

  it('lets a metrics file name its own gate metric', () => {
    expect(primaryMetric({ gate_metric: 'exact_match', test_accuracy: 1 })).toEqual({ metric: 'exact_match', direction: 'max' });
    expect(primaryMetric({ gate_metric: 'per', gate_direction: 'min' })).toEqual({ metric: 'per', direction: 'min' });
    expect(primaryMetric({ bleu: 3 })).toBeNull();
  });
});

describe('promote', () => {
  it('registers top-level models, promotes those that pass, and is a no-op when rerun', async () => {
    const root = await project(0.88, 0.3, 'aaaa');
    await compare({ root }, { outDir: path.join(root, 'reports') });
    const first = await promote({ root, minAccuracy: 0.75, maxMse: 0.25 }, { outDir: path.join(root, 'reports') });
    expect(first.decisions.map((d) => [d.model, d.version, d.registered, d.promoted, d.production, d.productionMember])).toEqual([
      ['ex1', 1, true, true, 1, 'ex1'],
      ['ex2', 1, true, false, null, null],
    ]);
    expect(first.decisions[1]!.reason).toMatch(/test_mse 0.3 fails the gate/);
    const state = await loadRegistry(root);
    expect(state.models.ex1?.production).toBe(1);
    expect(state.models.ex1?.versions[0]).toMatchObject({ fingerprint: 'aaaa1', stage: 'train-ex1' });
    expect(state.models.ex1?.versions[0]?.files.map((f) => f.path)).toEqual(['models/ex1/weights.bin', 'reports/ex1/metrics.json']);
    expect(await readJson(path.join(root, 'reports/promotion.json'))).toMatchObject({ gates: { minAccuracy: 0.75, maxMse: 0.25 } });

    const text = await readFile(path.join(root, REGISTRY_FILE), 'utf8');
    const again = await promote({ root, minAccuracy: 0.75, maxMse: 0.25 }, { outDir: path.join(root, 'reports') });
    expect(again.decisions.every((d) => !d.registered && !d.promoted)).toBe(true);
    expect(await readFile(path.join(root, REGISTRY_FILE), 'utf8')).toBe(text);
    expect(await readLog(root)).toHaveLength(1);
  });

  it('does not promote a worse retrained model, but does a better one', async () => {
    const root = await project(0.88, 0.2, 'aaaa');
    const step = async (acc: number, fp: string) => {
      await setMetrics(root, acc, 0.2);
      await writeFile(path.join(root, 'pipeline.lock'), lock(fp));
      await compare({ root }, { outDir: path.join(root, 'reports') });
      return (await promote({ root }, { outDir: path.join(root, 'reports') })).decisions.find((d) => d.model === 'ex1')!;
    };
    expect(await step(0.88, 'aaaa')).toMatchObject({ version: 1, promoted: true });
    expect(await step(0.8, 'bbbb')).toMatchObject({ version: 2, promoted: false, production: 1 });
    expect(await step(0.9, 'cccc')).toMatchObject({ version: 3, promoted: true, production: 3 });
    expect((await readLog(root)).filter((e) => e.model === 'ex1').map((e) => e.to)).toEqual([1, 3]);
  });

  it('registers one model per task, each version from a member, the best passing member in production', async () => {
    const root = await project(0.88, 0.2, 'aaaa');
    const entry = (outs: string[], f: string) => ({ cmd: 'x', fingerprint: f, params: {}, deps: {}, code: {}, runtime: {}, outs: outs.map((p) => ({ path: p, kind: 'file', digest: 'd', size: 1 })) });
    const stages: Record<string, unknown> = (parse(await readFile(path.join(root, 'pipeline.lock'), 'utf8')) as { stages: Record<string, unknown> }).stages;
    for (const [member, em] of [['none', 0.5], ['dot', 0.9], ['general', 0.8]] as const) {
      await mkdir(path.join(root, `reports/translate/${member}`), { recursive: true });
      await mkdir(path.join(root, `models/translate/${member}`), { recursive: true });
      await writeFile(path.join(root, `reports/translate/${member}/metrics.json`), JSON.stringify({ task: 'seq2seq', gate_metric: 'test_exact_match', test_exact_match: em }));
      await writeFile(path.join(root, `models/translate/${member}/w.bin`), member);
      stages[`translate@${member}`] = entry([`models/translate/${member}`, `reports/translate/${member}/metrics.json`], `fp-${member}`);
    }
    await writeFile(path.join(root, 'pipeline.lock'), stringify({ schema: 1, stages }));
    await compare({ root }, { outDir: path.join(root, 'reports') });
    const tasks = { classifier: ['ex1', 'sweep-best'], 'date-translator': ['translate/*'] };
    const r = await promote({ root, tasks }, { outDir: path.join(root, 'reports') });
    expect(r.decisions.map((d) => [d.model, d.version, d.promoted])).toEqual([
      ['classifier', 1, true], ['ex2', 1, true], ['date-translator', 1, true], ['date-translator', 2, false], ['date-translator', 3, false],
    ]);
    const dt = (await loadRegistry(root)).models['date-translator']!;
    expect(dt.versions.map((v) => [v.member, v.stage])).toEqual([['translate/dot', 'translate@dot'], ['translate/general', 'translate@general'], ['translate/none', 'translate@none']]);
    expect(dt.production).toBe(1);
    expect(dt.versions.find((v) => v.version === dt.production)!.files.map((f) => f.path)).toEqual(['models/translate/dot/w.bin', 'reports/translate/dot/metrics.json']);
    expect(Object.keys((await loadRegistry(root)).models).sort()).toEqual(['classifier', 'date-translator', 'ex2']);
  });
});
