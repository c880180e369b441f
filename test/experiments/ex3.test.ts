import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMovingMnist, writeMovingMnist } from '../../lib/ml/data/moving-mnist.ts';
import { type Ex3Params, run } from '../../lib/ml/experiments/ex3.ts';
import { denseFast } from '../../lib/ml/layers/dense-fast.ts';
import { EX3_VARIANTS, TemporalLatentModel, variantModules } from '../../lib/ml/models/temporal-latent.ts';
import { useBackend } from '../ml/helpers.ts';
import { TRAIN_DEFAULTS, readJson, tempDir } from './helpers.ts';

let dir: string;
const tiny = (variant: Ex3Params['variant']): Ex3Params => ({
  seed: 3, dataDir: path.join(dir, 'data'), variant, frameUnits: 16, modelDim: 8, latentDim: 4, lstmUnits: 8, heads: 2,
  memorySlots: 4, segmentLength: 2, transformerNorm: 'post', dropout: 0, epochs: 2, batchSize: 4, lr: 0.01, examples: 2, ...TRAIN_DEFAULTS,
});
beforeAll(async () => {
  await useBackend();
  dir = await tempDir('ex3');
  await writeMovingMnist(path.join(dir, 'data'), generateMovingMnist({ n: 12, frames: 4, size: 8, seed: 2 }));
});

describe('exercise 3 model', () => {
  it('switches exactly one module off per ablation, all three for the baseline', () => {
    const count = (v: (typeof EX3_VARIANTS)[number]): number => Object.values(variantModules(v)).filter(Boolean).length;
    expect(count('full')).toBe(3);
    expect(count('baseline')).toBe(0);
    for (const v of ['no-memory', 'no-transformer', 'no-hierarchy'] as const) expect(count(v)).toBe(2);
  });

  it('denseFast has the values and gradients of the plain product', () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const w = tf.tensor2d([[1, 0], [0, 1], [1, -1]]);
    const b = tf.tensor1d([0.5, -0.5]);
    const f = (a: tf.Tensor, k: tf.Tensor): tf.Scalar => tf.sum(tf.square(denseFast(a, k, b)));
    const g = (a: tf.Tensor, k: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, k as tf.Tensor2D).add(b)));
    const [gx, gw] = tf.grads(f)([x, w]);
    const [hx, hw] = tf.grads(g)([x, w]);
    expect(Array.from(denseFast(x, w, b).dataSync())).toEqual([4.5, -1.5, 10.5, -1.5]);
    expect(Array.from(gx!.dataSync())).toEqual(Array.from(hx!.dataSync()));
    expect(Array.from(gw!.dataSync())).toEqual(Array.from(hw!.dataSync()));
  });

  it('reconstructs (b, t, pixels) in [0, 1] for every variant, with fewer weights when modules are off', () => {
    const x = tf.randomUniform([2, 4, 64], 0, 1, 'float32', 1) as tf.Tensor3D;
    const counts = EX3_VARIANTS.map((variant) => {
      const m = new TemporalLatentModel({
        variant, pixels: 64, frameUnits: 16, modelDim: 8, latentDim: 4, lstmUnits: 8, heads: 2, memorySlots: 4,
        segmentLength: 2, transformerNorm: 'post', dropout: 0, learningRate: 0.01, clipNorm: 5, seed: 1,
      });
      const y = m.forward(x);
      expect(y.shape).toEqual([2, 4, 64]);
      expect(y.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(y.max().dataSync()[0]).toBeLessThanOrEqual(1);
      expect(Number.isFinite(m.trainStep(x).loss)).toBe(true);
      y.dispose();
      const n = m.parameterCount();
      m.dispose();
      return [variant, n] as const;
    });
    const by = Object.fromEntries(counts);
    for (const v of ['baseline', 'no-memory', 'no-transformer', 'no-hierarchy'] as const) expect(by[v]).toBeLessThan(by.full!);
  });
});

describe('exercise 3 run()', () => {
  it('writes metrics with per-frame errors, reconstructions and the model; same seed, same numbers', async () => {
    const seen: number[] = [];
    const out = path.join(dir, 'full');
    const { metrics } = await run(tiny('full'), { outDir: out, modelDir: path.join(dir, 'model'), onEpoch: (e) => seen.push(e) });
    expect(seen).toEqual([1, 2]);
    expect(metrics).toMatchObject({ model: 'ex3-full', variant: 'full', task: 'regression', frames: 4, size: 8, epochs: 2 });
    for (const k of ['test_mse', 'test_mae', 'val_mse', 'mean_baseline_mse'] as const) expect(Number.isFinite(metrics[k])).toBe(true);
    expect(metrics).not.toHaveProperty('train_time_s');
    expect(metrics.test_mae).toBeLessThanOrEqual(Math.sqrt(metrics.test_mse) + 1e-9);
    expect(metrics.mse_per_frame).toHaveLength(4);
    // The clip MSE is the mean of the per-frame MSEs (every frame has as many pixels).
    expect(metrics.mse_per_frame.reduce((s, v) => s + v, 0) / 4).toBeCloseTo(metrics.test_mse, 6);
    expect(metrics.backend.name).toBe('wasm');
    expect(await readJson(path.join(out, 'metrics.json'))).toMatchObject({ model: 'ex3-full', parameters: metrics.parameters });
    const meta = await readJson<{ shape: number[] }>(path.join(out, 'reconstructions.json'));
    expect(meta.shape).toEqual([2, 2, 4, 8, 8]);
    expect((await readFile(path.join(out, 'reconstructions.bin'))).length).toBe(2 * 2 * 4 * 64);
    expect(await readJson(path.join(dir, 'model/config.json'))).toMatchObject({ kind: 'temporal-latent' });

    const again = await run(tiny('full'), { outDir: path.join(dir, 'again') });
    expect(again.metrics.test_mse).toBe(metrics.test_mse);
    const baseline = await run(tiny('baseline'), { outDir: path.join(dir, 'baseline') });
    expect(baseline.metrics.parameters).toBeLessThan(metrics.parameters);
  });
});
