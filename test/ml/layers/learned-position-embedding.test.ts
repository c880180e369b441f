import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LearnedPositionEmbedding } from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import { expectClose, expectLayerGradients, expectNoLeak, expectRoundTrip, randn } from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('LearnedPositionEmbedding', () => {
  it('adds table rows 0..t-1 (hand-set table), shorter sequences use a prefix', () => {
    const layer = new LearnedPositionEmbedding({ maxLength: 4 });
    const x = tf.tensor3d([[[1, 2], [3, 4]]]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[4, 2]]);
    const table = tf.tensor2d([[10, 20], [30, 40], [50, 60], [70, 80]]);
    layer.setWeights([table]);
    const y = layer.apply(x) as tf.Tensor;
    expectClose(y, [[[11, 22], [33, 44]]]);
    const x3 = tf.zeros([2, 3, 2]);
    const y3 = layer.apply(x3) as tf.Tensor;
    expectClose(y3, [[[10, 20], [30, 40], [50, 60]], [[10, 20], [30, 40], [50, 60]]]);
    expect(layer.computeOutputShape([null, 3, 2])).toEqual([null, 3, 2]);
    tf.dispose([x, table, y, x3, y3]);
  });

  it('padded steps stay zero; too-long sequences are refused', () => {
    const layer = new LearnedPositionEmbedding({ maxLength: 3, seed: 1 });
    const x = randn([1, 3, 2], 2);
    const mask = tf.tensor2d([[1, 0, 1]]);
    const y = layer.apply([x, mask]) as tf.Tensor;
    expect((y.arraySync() as number[][][])[0]![1]!.map(Math.abs)).toEqual([0, 0]);
    expect(() => layer.apply(tf.zeros([1, 4, 2]))).toThrow(/exceeds maxLength 3/);
    tf.dispose([x, mask, y]);
  });

  it('serialises and leaks no tensors', () => {
    const x = randn([2, 5, 3], 3);
    const layer = new LearnedPositionEmbedding({ maxLength: 8, seed: 4 });
    const copy = expectRoundTrip(layer, x) as LearnedPositionEmbedding;
    expect([copy.maxLength, copy.seed]).toEqual([8, 4]);
    expectNoLeak(layer, x);
    x.dispose();
  });
});

describe('LearnedPositionEmbedding gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it('finite differences agree with autodiff for the input and the table', () => {
    expectLayerGradients(new LearnedPositionEmbedding({ maxLength: 4, seed: 5 }), [randn([2, 3, 2], 6)], [tf.tensor2d([[1, 1, 0], [1, 1, 1]])]);
  });
});
