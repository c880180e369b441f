import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveSeed, rng, SeededDropout, seededDropoutFunc, seededInit } from '../../../lib/ml/random.ts';
import { useBackend } from '../helpers.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

interface Run {
  weights: Float32Array[];
  losses: number[];
}

/**
 * Everything random in a small training run (data, order, initial weights, dropout masks) is
 * derived from `seed`, so two runs with one seed must agree bit for bit.
 */
async function trainGru(seed: number): Promise<Run> {
  const n = 48;
  const steps = 6;
  const features = 3;
  const data = rng(deriveSeed(seed, 'data'));
  const xs = Array.from({ length: n * steps * features }, () => data.normal());
  const ys = Array.from({ length: n }, () => data.int(0, 3));
  const order = rng(deriveSeed(seed, 'shuffle')).shuffle(Array.from({ length: n }, (_, i) => i));

  const init = (name: string) => deriveSeed(seed, `init/${name}`);
  const model = tf.sequential({
    layers: [
      tf.layers.gru({
        inputShape: [steps, features], units: 8, returnSequences: false,
        kernelInitializer: seededInit('glorotUniform', init('gru/kernel')),
        recurrentInitializer: seededInit('orthogonal', init('gru/recurrent')),
        dropout: 0.2, dropoutFunc: seededDropoutFunc(deriveSeed(seed, 'dropout/gru')),
      }),
      new SeededDropout({ rate: 0.3, seed: deriveSeed(seed, 'dropout/head') }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seededInit('glorotUniform', init('dense')) }),
    ],
  });
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const x = tf.tidy(() => tf.gather(tf.tensor3d(xs, [n, steps, features]), order));
  const y = tf.tidy(() => tf.gather(tf.tensor2d(ys, [n, 1]), order));
  // shuffle: false, because fit's own shuffle draws from Math.random.
  const history = await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
  const weights = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
  tf.dispose([x, y]);
  // tfjs-layers keeps the GRU cell's last dropout masks alive past model.dispose().
  const cell = (model.layers[0] as unknown as { cell: { dropoutMask: tf.Tensor[] | null } }).cell;
  tf.dispose(cell.dropoutMask ?? []);
  model.dispose();
  optimizer.dispose();
  return { weights, losses: history.history['loss'] as number[] };
}

describe('determinism on wasm', () => {
  it('same seed: bit-identical weights and losses; other seed: different', async () => {
    const before = tf.memory().numTensors;
    const a = await trainGru(42);
    const b = await trainGru(42);
    const c = await trainGru(43);
    expect(a.losses).toHaveLength(3);
    expect(b.losses).toEqual(a.losses);
    expect(b.weights.length).toBe(a.weights.length);
    a.weights.forEach((w, i) => {
      // Compare the bytes so that even -0 vs 0 or NaN payload differences would count.
      expect(Buffer.from(b.weights[i]!.buffer).equals(Buffer.from(w.buffer)), `weight ${i}`).toBe(true);
    });
    expect(c.losses).not.toEqual(a.losses);
    expect(c.weights[0]).not.toEqual(a.weights[0]);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
