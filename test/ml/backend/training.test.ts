/**
 * Small models of every kind the experiments use, trained a few steps on wasm and on cpu from
 * the same seeded weights: wasm must run them all (no missing kernel) and land on the same
 * weights. This is how the kernels in lib/ml/kernels were found.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveSeed, seededInit } from '../../../lib/ml/random.ts';
import { useBackend } from '../helpers.ts';
import { expectWasmMatchesCpu, values } from './compare.ts';

afterAll(async () => {
  await useBackend('wasm');
});

const init = (name: string) => seededInit('glorotUniform', deriveSeed(1, name));
const rec = (name: string) => seededInit('orthogonal', deriveSeed(1, name));

interface Case {
  name: string;
  layers: () => tf.layers.Layer[];
  input: number[];
  ints?: number;
}

const cases: Case[] = [
  {
    name: 'embedding (masked) + GRU',
    input: [7], ints: 12,
    layers: () => [
      tf.layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true, embeddingsInitializer: init('emb') }),
      tf.layers.gru({ units: 5, kernelInitializer: init('gru'), recurrentInitializer: rec('gru-r') }),
    ],
  },
  {
    name: 'embedding + bidirectional LSTM + layerNormalization + average pooling',
    input: [6], ints: 9,
    layers: () => [
      tf.layers.embedding({ inputDim: 9, outputDim: 3, embeddingsInitializer: init('emb2') }),
      tf.layers.bidirectional({
        layer: tf.layers.lstm({ units: 4, returnSequences: true, kernelInitializer: init('lstm'), recurrentInitializer: rec('lstm-r') }) as tf.RNN,
      }),
      tf.layers.layerNormalization(),
      tf.layers.globalAveragePooling1d(),
    ],
  },
  {
    name: 'conv1d stack + max pooling',
    input: [10, 3],
    layers: () => [
      tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init('c1') }),
      tf.layers.maxPooling1d({ poolSize: 2 }),
      tf.layers.conv1d({ filters: 4, kernelSize: 2, strides: 2, kernelInitializer: init('c2') }),
      tf.layers.flatten(),
    ],
  },
  {
    name: 'separable conv2d (depthwise kernels)',
    input: [6, 6, 2],
    layers: () => [
      tf.layers.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier: 2, depthwiseInitializer: init('dw'), pointwiseInitializer: init('pw') }),
      tf.layers.flatten(),
    ],
  },
];

describe('training on wasm equals training on cpu', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const n = 8;
      const size = n * c.input.reduce((a, b) => a * b, 1);
      const raw = values(size, 0.5);
      const xs = c.ints ? Array.from(raw, (v) => Math.floor(Math.abs(v) * (c.ints! - 1)) + 1) : Array.from(raw);
      const ys = Array.from({ length: n }, (_, i) => i % 3);
      await expectWasmMatchesCpu(() => {
        const model = tf.sequential();
        model.add(tf.layers.inputLayer({ inputShape: c.input, dtype: c.ints ? 'int32' : 'float32' }));
        for (const l of c.layers()) model.add(l);
        model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init('head') }));
        const x = c.ints ? tf.tensor(xs, [n, ...c.input], 'int32') : tf.tensor(xs, [n, ...c.input]);
        const y = tf.oneHot(tf.tensor1d(ys, 'int32'), 3);
        const opt = tf.train.adam(0.02);
        for (let step = 0; step < 3; step++) {
          opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
        }
        const weights = model.getWeights().map((w) => w.clone());
        opt.dispose();
        model.dispose();
        return weights;
      }, 1e-4);
    });
  }
});
