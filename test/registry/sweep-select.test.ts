import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SweepRow, pickBest, select } from '../../lib/registry/sweep-select.ts';
import { memberName } from '../../lib/ml/experiments/sweep.ts';
import { readJson, tempDir } from '../experiments/helpers.ts';

async function member(root: string, lr: number, units: number, val: number, test: number): Promise<void> {
  const name = memberName(lr, units);
  await mkdir(path.join(root, 'reports', name), { recursive: true });
  await mkdir(path.join(root, 'models', name), { recursive: true });
  await writeFile(path.join(root, 'models', name, 'weights.bin'), name);
  const metrics = {
    model: `sweep/${name}`, task: 'classification', val_accuracy: val, test_accuracy: test, parameters: units * 10,
    hyperparameters: { lr, units, batch_size: 32, epochs: 1 },
  };
  await writeFile(path.join(root, 'reports', name, 'metrics.json'), JSON.stringify(metrics));
}

describe('sweep selection', () => {
  it('picks by validation accuracy, not test accuracy, and publishes the winner as sweep-best', async () => {
    const root = await tempDir('sweep');
    await member(root, 0.001, 32, 0.8, 0.95);
    await member(root, 0.01, 64, 0.9, 0.7);
    const r = await select(
      { reportsDir: path.join(root, 'reports'), modelsDir: path.join(root, 'models') },
      { outDir: path.join(root, 'best'), modelDir: path.join(root, 'best-model') },
    );
    expect(r.best).toBe('0.01-64');
    expect(r.members.map((m) => m.member)).toEqual(['0.001-32', '0.01-64']);
    expect(await readdir(path.join(root, 'best-model'))).toEqual(['weights.bin']);
    expect(await readJson(path.join(root, 'best/metrics.json'))).toMatchObject({
      model: 'sweep-best', selected_member: '0.01-64', selected_by: 'val_accuracy', test_accuracy: 0.7,
    });
    expect(await readJson(path.join(root, 'best/selection.json'))).toMatchObject({ best: '0.01-64', metric: 'val_accuracy' });
  });

  it('breaks ties by the smaller model, then by name, and refuses an empty sweep', () => {
    const row = (member: string, score: number, parameters: number): SweepRow => ({ member, lr: 0, units: 0, score, test_accuracy: 0, parameters });
    expect(pickBest([row('b', 0.9, 100), row('a', 0.9, 200), row('c', 0.8, 1)]).member).toBe('b');
    expect(pickBest([row('b', 0.9, 100), row('a', 0.9, 100)]).member).toBe('a');
    expect(() => pickBest([])).toThrow(/no member/);
  });
});
