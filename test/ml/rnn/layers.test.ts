import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModel, saveLayersModel } from '../../../lib/ml/io.ts';
import { FusedGRU, FusedLSTM } from '../../../lib/ml/rnn/index.ts';
import { useBackend } from '../helpers.ts';
import { maxRelDiff } from './support.ts';

describe('fused layers: shapes, config, save/load, memory, training', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('output shapes follow returnSequences / returnState', () => {
    const x = tf.zeros([2, 7, 3]);
    const seq = new FusedLSTM({ units: 4, returnSequences: true, returnState: true }).apply(x) as tf.Tensor[];
    expect(seq.map((t) => t.shape)).toEqual([[2, 7, 4], [2, 4], [2, 4]]);
    const last = new FusedGRU({ units: 5 }).apply(x) as tf.Tensor;
    expect(last.shape).toEqual([2, 5]);
    const sym = new FusedGRU({ units: 5, returnState: true }).apply(tf.input({ shape: [7, 3] })) as tf.SymbolicTensor[];
    expect(sym.map((t) => t.shape)).toEqual([[null, 5], [null, 5]]);
    tf.dispose([x, ...seq, last]);
  });

  it('getConfig has the stock keys and round-trips through fromConfig; configs load into the stock layer', () => {
    const fused = new FusedLSTM({ units: 6, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid', unitForgetBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) });
    const stock = tf.layers.lstm({ units: 6, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid', unitForgetBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) });
    const config = fused.getConfig();
    const stockConfig = stock.getConfig();
    const { name: _a, ...rest } = config;
    const { name: _b, ...stockRest } = stockConfig;
    expect(rest).toEqual(stockRest);
    const again = FusedLSTM.fromConfig(FusedLSTM, config) as FusedLSTM;
    // fromConfig adds an empty `customObjects` to nested initialiser configs (stock layers too).
    const plain = (c: unknown): unknown => JSON.parse(JSON.stringify(c, (k, v: unknown) => (k === 'customObjects' ? undefined : v)));
    expect(plain(again.getConfig())).toEqual(plain(config));
    const asStock = tf.layers.lstm(config as unknown as Parameters<typeof tf.layers.lstm>[0]);
    expect(asStock.getConfig()['units']).toBe(6);
    expect(() => new FusedGRU({ units: 2, resetAfter: true })).toThrow(/resetAfter/);
    expect(() => new FusedLSTM({ units: 2, dropout: 0.1 })).toThrow(/dropout/);
    expect(() => new FusedLSTM({ units: 2, activation: 'relu' })).toThrow(/tanh/);
    expect(() => new FusedGRU({ units: 2, kernelRegularizer: tf.regularizers.l2() })).toThrow(/kernelRegularizer/);
  });

  it('a model with fused layers (masking, bidirectional) saves and loads through lib/ml/io.ts', async () => {
    const input = tf.input({ shape: [5, 2] });
    const masked = tf.layers.masking({ maskValue: 0 }).apply(input) as tf.SymbolicTensor;
    const bi = tf.layers.bidirectional({ layer: new FusedGRU({ units: 3, returnSequences: true }) as unknown as tf.RNN }).apply(masked) as tf.SymbolicTensor;
    const out = new FusedLSTM({ units: 2 }).apply(bi) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const x = tf.tensor3d([[[1, 2], [3, 4], [0, 0], [0, 0], [0, 0]], [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]]);
    const before = model.predict(x) as tf.Tensor;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqlab-fused-'));
    try {
      await saveLayersModel(model, dir);
      const loaded = await loadLayersModel(dir);
      expect(loaded.layers.map((l) => l.getClassName())).toContain('FusedLSTM');
      const after = loaded.predict(x) as tf.Tensor;
      expect(maxRelDiff(after.dataSync(), before.dataSync())).toBe(0);
      tf.dispose([after]);
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    tf.dispose([x, before]);
    model.dispose();
  });

  it('leaks no tensors in predict or in a gradient step', () => {
    const layer = new FusedLSTM({ units: 4, returnSequences: true, returnState: true });
    const x = tf.randomNormal([2, 5, 3]);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    const kwargs = { mask } as unknown as tf.serialization.ConfigDict;
    const forward = (): tf.Tensor[] => layer.apply(x, kwargs) as tf.Tensor[];
    const optimizer = tf.train.sgd(0.1);
    const vars = layer.trainableWeights.length > 0 ? layer.trainableWeights.map((w) => w.read() as tf.Variable) : undefined;
    const step = (): void => {
      optimizer.minimize(() => tf.sum(forward()[0]!) as tf.Scalar, false, vars ?? layer.trainableWeights.map((w) => w.read() as tf.Variable));
    };
    tf.tidy(() => {
      forward();
    });
    step(); // the optimizer keeps its learning-rate scalar from the first step on
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      forward();
    });
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, mask]);
    optimizer.dispose();
  });

  it('a small GRU classifier trains (loss decreases)', async () => {
    const n = 48;
    const xs = tf.tidy(() => tf.randomNormal([n, 8, 1], 0, 1, 'float32', 2));
    // Label: is the sum of the sequence positive? Needs the whole sequence.
    const ys = tf.tidy(() => tf.cast(tf.greater(tf.sum(xs, [1, 2]), 0), 'float32').reshape([n, 1]));
    const model = tf.sequential({
      layers: [
        new FusedGRU({ units: 8, inputShape: [8, 1], recurrentActivation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.03), loss: 'binaryCrossentropy' });
    const h = await model.fit(xs, ys, { epochs: 15, batchSize: 16, shuffle: false, verbose: 0 });
    const loss = h.history['loss'] as number[];
    expect(loss[loss.length - 1]!).toBeLessThan(0.7 * loss[0]!);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
