import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMovingMnist, writeMovingMnist } from '../../lib/ml/data/moving-mnist.ts';
import { frameErrors, readPredictions } from '../../lib/ml/artifacts/index.ts';
import { type Ex3Params, cutClips, run } from '../../lib/ml/experiments/ex3.ts';
import { denseFast } from '../../lib/ml/layers/dense-fast.ts';
import { EX3_VARIANTS, TemporalLatentModel, variantModules } from '../../lib/ml/models/temporal-latent.ts';
import { useBackend } from '../ml/helpers.ts';
import { TRAIN_DEFAULTS, readJson, tempDir } from './helpers.ts';

let dir: string;
const tiny = (variant: Ex3Params['variant']): Ex3Params => ({
  seed: 3, dataDir: path.join(dir, 'data'), variant, frameUnits: 16, modelDim: 8, latentDim: 4, lstmUnits: 8, heads: 2,
  memorySlots: 4, segmentLength: 2, transformerNorm: 'post', dropout: 0, motionKernels: 2, motionRadius: 1, epochs: 2, batchSize: 4, lr: 0.01,
  examples: 2, contextFrames: 3, ...TRAIN_DEFAULTS,
});
beforeAll(async () => {
  await useBackend();
  dir = await tempDir('ex3');
  await writeMovingMnist(path.join(dir, 'data'), generateMovingMnist({ n: 12, frames: 5, size: 8, seed: 2 }));
});

describe('exercise 3 task and metrics', () => {
  it('cuts clips into context and future frames, the same clips for the same seed', () => {
    const data = generateMovingMnist({ n: 6, frames: 5, size: 8, seed: 7 });
    const { context, future } = cutClips(data, [4, 1], 3);
    expect([context.length, future.length]).toEqual([2 * 3 * 64, 2 * 2 * 64]);
    // Clip 4's frames 0–2, then clip 1's; the future holds frames 3–4 in the same order.
    expect(Array.from(context.subarray(0, 3 * 64))).toEqual(Array.from(data.clips.subarray(4 * 5 * 64, (4 * 5 + 3) * 64)));
    expect(Array.from(future.subarray(2 * 64))).toEqual(Array.from(data.clips.subarray((1 * 5 + 3) * 64, (1 * 5 + 5) * 64)));
    expect(Array.from(generateMovingMnist({ n: 6, frames: 5, size: 8, seed: 7 }).clips)).toEqual(Array.from(data.clips));
    expect(Array.from(generateMovingMnist({ n: 6, frames: 5, size: 8, seed: 8 }).clips)).not.toEqual(Array.from(data.clips));
  });

  it('frame errors: per-pixel MSE per frame, summed-pixel SSE per frame, the late half, by hand', () => {
    // 2 clips × 2 frames × 2 pixels. Squared errors per (clip, frame): (0.25+0) (1+0), (0.25+0.25) (0+0).
    const truth = [1, 0, 1, 0, /* clip 1 */ 0.5, 0.5, 0, 0];
    const pred = [0.5, 0, 0, 0, /* clip 1 */ 0, 1, 0, 0];
    const e = frameErrors(truth, pred, 2, 2);
    expect(e.test_frame_sse).toEqual([(0.25 + 0.5) / 2, (1 + 0) / 2]);
    expect(e.test_frame_sse_mean).toBeCloseTo((0.375 + 0.5) / 2, 12);
    expect(e.test_mse_per_frame).toEqual([0.375 / 2, 0.5 / 2]);
    expect(e.test_mse).toBeCloseTo((0.25 + 1 + 0.5) / 8, 12);
    expect(e.test_mse_late).toBe(0.25);
    expect(e.test_mae).toBeCloseTo((0.5 + 1 + 0.5 + 0.5) / 8, 12);
    expect(() => frameErrors(truth, pred.slice(1), 2, 2)).toThrow(/same non-empty whole number/);
  });
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

  it('predicts (b, future, pixels) in [0, 1] from (b, context, pixels) for every variant and decoder, with fewer weights when modules are off', () => {
    const clips = tf.randomUniform([2, 5, 64], 0, 1, 'float32', 1) as tf.Tensor3D;
    const context = clips.slice([0, 0, 0], [2, 3, 64]) as tf.Tensor3D;
    const counts = EX3_VARIANTS.flatMap((variant) => [0, 2].map((motionKernels) => {
      const m = new TemporalLatentModel({
        variant, pixels: 64, frameUnits: 16, modelDim: 8, latentDim: 4, lstmUnits: 8, heads: 2, memorySlots: 4,
        segmentLength: 2, transformerNorm: 'post', dropout: 0, motionKernels, motionRadius: 1, contextFrames: 3, futureFrames: 2,
        learningRate: 0.01, clipNorm: 5, seed: 1,
      });
      const y = m.forward(context);
      expect(y.shape).toEqual([2, 2, 64]);
      expect(y.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(y.max().dataSync()[0]).toBeLessThanOrEqual(1 + 1e-6);
      expect(() => m.forward(clips)).toThrow(/expected 3 context frames, got 5/);
      expect(Number.isFinite(m.trainStep(clips).loss)).toBe(true);
      y.dispose();
      const n = m.parameterCount();
      m.dispose();
      return [variant, n, motionKernels] as const;
    }));
    const by = Object.fromEntries(counts.filter(([, , k]) => k === 2).map(([v, n]) => [v, n]));
    for (const v of ['baseline', 'no-memory', 'no-transformer', 'no-hierarchy'] as const) expect(by[v]).toBeLessThan(by.full!);
  });
});

describe('exercise 3 run()', () => {
  it('writes metrics with per-frame errors, predictions and the model; same seed, same numbers', async () => {
    const seen: number[] = [];
    const out = path.join(dir, 'full');
    const { metrics } = await run(tiny('full'), { outDir: out, modelDir: path.join(dir, 'model'), onEpoch: (e) => seen.push(e) });
    expect(seen).toEqual([1, 2]);
    expect(metrics).toMatchObject({ model: 'ex3-full', variant: 'full', task: 'frame-prediction', frames: 5, context_frames: 3, future_frames: 2, size: 8, epochs: 2 });
    for (const k of ['test_mse', 'test_mae', 'test_mse_late', 'val_mse', 'mean_image_mse', 'copy_last_mse'] as const) expect(Number.isFinite(metrics[k])).toBe(true);
    expect(metrics).not.toHaveProperty('train_time_s');
    expect(metrics.test_mae).toBeLessThanOrEqual(Math.sqrt(metrics.test_mse) + 1e-9);
    expect(metrics.test_mse_per_frame).toHaveLength(2);
    expect(metrics.test_mse_late).toBe(metrics.test_mse_per_frame[1]);
    expect(metrics.test_frame_sse.map((v) => v / 64)).toEqual(metrics.test_mse_per_frame.map((v) => expect.closeTo(v, 9)));
    expect(metrics.backend.name).toBe('wasm');
    expect(await readJson(path.join(out, 'metrics.json'))).toMatchObject({ model: 'ex3-full', parameters: metrics.parameters, test_mse: expect.closeTo(metrics.test_mse, 6) });
    const pred = await readPredictions(path.join(out, 'predictions.json'));
    expect(pred).toMatchObject({ contextFrames: 3, futureFrames: 2, size: 8 });
    expect(pred.clips.map((c) => [c.truth.length, c.prediction.length])).toEqual([[5, 2], [5, 2]]);
    expect((await readFile(path.join(out, 'predictions.bin'))).length).toBe(2 * (5 + 2) * 64);
    expect(await readJson(path.join(dir, 'model/config.json'))).toMatchObject({ kind: 'temporal-latent' });

    const again = await run(tiny('full'), { outDir: path.join(dir, 'again') });
    expect(again.metrics.test_mse).toBe(metrics.test_mse);
    const baseline = await run(tiny('baseline'), { outDir: path.join(dir, 'baseline') });
    expect(baseline.metrics.parameters).toBeLessThan(metrics.parameters);
  });
});
