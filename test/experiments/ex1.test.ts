import * as tf from '@tensorflow/tfjs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticSequences, readSyntheticSequences, writeSyntheticSequences } from '../../lib/ml/data/synthetic-sequences.ts';
import { type Ex1Metrics, run } from '../../lib/ml/experiments/ex1.ts';
import { GruAttentionClassifier } from '../../lib/ml/models/gru-attention-classifier.ts';
import { loadModelAs } from '../../lib/ml/models/model.ts';
import { useBackend } from '../ml/helpers.ts';
import { TRAIN_DEFAULTS, readJson, tempDir } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  await useBackend();
  dir = await tempDir('ex1');
  await writeSyntheticSequences(path.join(dir, 'data'), generateSyntheticSequences({ n: 45, steps: 16, seed: 7 }));
});

const params = () => ({ seed: 3, dataDir: path.join(dir, 'data'), units: 4, epochs: 2, batchSize: 8, lr: 0.01, attentionExamples: 3, ...TRAIN_DEFAULTS });

describe('exercise 1 run()', () => {
  it('trains, reports the epochs, and writes metrics, curve, attention and a loadable model', async () => {
    const epochs: number[] = [];
    const before = tf.memory().numTensors;
    const { metrics } = await run(params(), {
      outDir: path.join(dir, 'reports'), modelDir: path.join(dir, 'model'), onEpoch: (e, n) => epochs.push(e * 10 + n),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs).toEqual([12, 22]);
    const onDisk = await readJson<Ex1Metrics>(path.join(dir, 'reports/metrics.json'));
    expect(onDisk.test_accuracy).toBeCloseTo(metrics.test_accuracy, 5);
    expect(metrics).toMatchObject({ model: 'ex1', task: 'classification', epochs: 2, train_samples: 33, test_samples: 6 });
    expect(metrics.test_accuracy).toBeGreaterThanOrEqual(0);
    expect(metrics.test_accuracy).toBeLessThanOrEqual(1);
    expect(metrics.per_class.map((c) => c.name)).toEqual(['rising', 'bursts', 'event']);
    expect(metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(6);
    expect(metrics.attention_span).toBeGreaterThanOrEqual(0);
    expect(metrics.attention_span).toBeLessThanOrEqual(16);
    expect(metrics.attention_entropy).toBeGreaterThan(0);
    expect(metrics.attention_entropy).toBeLessThanOrEqual(Math.log(16) + 1e-9);
    expect(metrics.backend.name).toBe('wasm');
    expect([1, 2]).toContain(metrics.best_epoch);

    const history = await readJson<{ epochs: { epoch: number; loss: number }[] }>(path.join(dir, 'reports/history.json'));
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const att = await readJson<{ examples: { weights: number[]; signal: number[] }[] }>(path.join(dir, 'reports/attention.json'));
    expect(att.examples).toHaveLength(3);
    for (const ex of att.examples) {
      expect(ex.weights).toHaveLength(16);
      expect(ex.signal).toHaveLength(16);
      expect(ex.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }

    // The saved model reproduces the reported test accuracy.
    const model = await loadModelAs(path.join(dir, 'model'), GruAttentionClassifier);
    const data = await readSyntheticSequences(path.join(dir, 'data'));
    const rows = Array.from(data.split.test);
    const x = tf.tensor3d(rows.flatMap((r) => Array.from(data.x.subarray(r * 16, (r + 1) * 16))), [rows.length, 16, 1]);
    const { probs } = model.predict(x);
    x.dispose();
    const hits = rows.filter((r, i) => {
      const p = Array.from(probs.subarray(i * 3, i * 3 + 3));
      return p.indexOf(Math.max(...p)) === data.y[r];
    }).length;
    expect(hits / rows.length).toBeCloseTo(metrics.test_accuracy, 6);
    // …and its accuracy on the patterned rows; the ceiling counts each patternless row as 1/3.
    const patterned = rows.filter((r) => data.patterned[r] === 1);
    const patternedHits = rows.filter((r, i) => {
      const p = Array.from(probs.subarray(i * 3, i * 3 + 3));
      return data.patterned[r] === 1 && p.indexOf(Math.max(...p)) === data.y[r];
    }).length;
    expect(metrics.test_accuracy_patterned).toBeCloseTo(patterned.length ? patternedHits / patterned.length : 0, 12);
    expect(metrics.test_ceiling).toBeCloseTo(1 - ((rows.length - patterned.length) * 2) / 3 / rows.length, 12);
    expect(metrics.val_ceiling).toBeGreaterThan(0);
    expect(metrics.val_ceiling).toBeLessThanOrEqual(1);
    model.dispose();
  });

  it('is deterministic: same seed, byte-identical outs; wall times go to onTiming only', async () => {
    const timings: [string, number][] = [];
    await run({ ...params(), epochs: 1 }, { outDir: path.join(dir, 'a'), onTiming: (l, s) => timings.push([l, s]) });
    await run({ ...params(), epochs: 1 }, { outDir: path.join(dir, 'b') });
    for (const f of await readdir(path.join(dir, 'a'))) {
      expect(await readFile(path.join(dir, 'b', f), 'utf8'), f).toBe(await readFile(path.join(dir, 'a', f), 'utf8'));
    }
    expect(timings.map(([l]) => l)).toEqual(['train']);
  });
});
