import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from '../../../lib/ml/models/train-utils.ts';
import { WEIGHTS_BIN, WEIGHTS_JSON, WeightStore, loadWeights, saveWeights } from '../../../lib/ml/models/weights.ts';
import { useBackend } from '../helpers.ts';

let dir: string;

beforeAll(async () => {
  await useBackend();
  dir = await mkdtemp(path.join(os.tmpdir(), 'seqlab-weights-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('WeightStore', () => {
  it('creates the same weights for the same seed and different ones for another', () => {
    const values = (seed: number): number[] => Array.from(new WeightStore(seed).create('w', [3, 4]).dataSync());
    expect(values(1)).toEqual(values(1));
    expect(values(1)).not.toEqual(values(2));
  });

  it('refuses duplicate names', () => {
    const store = new WeightStore(1);
    store.create('a', [2]);
    expect(() => store.create('a', [2])).toThrow(/duplicate/);
  });

  it('saves weights.json + weights.bin and loads them back by name', async () => {
    const a = new WeightStore(1);
    a.create('enc/kernel', [2, 3]);
    a.create('enc/bias', [3], 'zeros');
    a.weights()[1]?.variable.assign(tf.tensor1d([1, 2, 3]));
    await saveWeights(a, dir);
    // A standard tfjs weights manifest, weights under their logical names.
    const manifest = JSON.parse(await readFile(path.join(dir, WEIGHTS_JSON), 'utf8')) as tf.io.WeightsManifestConfig;
    expect(manifest[0]?.weights.map((w) => [w.name, w.shape, w.dtype])).toEqual([['enc/kernel', [2, 3], 'float32'], ['enc/bias', [3], 'float32']]);
    expect((await readFile(path.join(dir, WEIGHTS_BIN))).byteLength).toBe(9 * 4);
    // Registered in another order: loading goes by name, not position.
    const b = new WeightStore(2);
    b.create('enc/bias', [3]);
    b.create('enc/kernel', [2, 3]);
    const before = tf.memory().numTensors;
    await loadWeights(b, dir);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(b.weights()[0]?.variable.dataSync() ?? [])).toEqual([1, 2, 3]);
    expect(Array.from(b.weights()[1]?.variable.dataSync() ?? [])).toEqual(Array.from(a.weights()[0]?.variable.dataSync() ?? []));
  });

  it('fails loudly on a missing name or a different shape', async () => {
    const a = new WeightStore(1);
    a.create('x', [2, 2]);
    await saveWeights(a, dir);
    const missing = new WeightStore(1);
    missing.create('y', [2, 2]);
    await expect(loadWeights(missing, dir)).rejects.toThrow(/lack "y"/);
    const reshaped = new WeightStore(1);
    reshaped.create('x', [4]);
    await expect(loadWeights(reshaped, dir)).rejects.toThrow(/shape/);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales all gradients by clip / global norm when the norm is larger, else copies them', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // global norm 5
    const clipped = clipByGlobalNorm(grads, 1);
    expect(Array.from(clipped.a?.dataSync() ?? [])).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.b?.dataSync() ?? [])).toEqual([0, expect.closeTo(0.8, 6)]);
    const kept = clipByGlobalNorm(grads, 10);
    expect(Array.from(kept.b?.dataSync() ?? [])).toEqual([0, 4]);
    expect(Array.from(clipByGlobalNorm(grads, 0).a?.dataSync() ?? [])).toEqual([3, 0]);
  });
});
