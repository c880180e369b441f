import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BahdanauAttention } from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import {
  type Mat, arr, attendRef, dot, expectClose, expectLayerGradients, expectNoLeak, expectRoundTrip, matmul, randn,
} from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('BahdanauAttention', () => {
  let q: tf.Tensor, qs: tf.Tensor, mem: tf.Tensor, mask: tf.Tensor;
  beforeAll(() => {
    q = randn([2, 3], 1);
    qs = randn([2, 2, 3], 2);
    mem = randn([2, 5, 4], 3);
    mask = tf.tensor2d([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]]);
  });
  afterAll(() => tf.dispose([q, qs, mem, mask]));

  it('shapes: step query (b,dq) and query sequence (b,tq,dq)', () => {
    const layer = new BahdanauAttention({ units: 8, seed: 1 });
    const [c, w] = layer.apply([q, mem, mask]) as tf.Tensor[];
    expect([c!.shape, w!.shape]).toEqual([[2, 4], [2, 5]]);
    const [c3, w3] = layer.apply([qs, mem, mask]) as tf.Tensor[];
    expect([c3!.shape, w3!.shape]).toEqual([[2, 2, 4], [2, 2, 5]]);
    expect(layer.computeOutputShape([[null, 2, 3], [null, 5, 4]])).toEqual([[null, 2, 4], [null, 2, 5]]);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[3, 8], [4, 8], [8], [8, 1]]);
    tf.dispose([c!, w!, c3!, w3!]);
  });

  it('matches a hand computation of vᵀ tanh(W1 q + W2 h_j + b)', () => {
    const query: Mat = [[1, -1]];
    const h: Mat = [[1, 0, 2], [0, 1, -1], [0.5, 0.5, 0.5]];
    const W1: Mat = [[0.3, -0.2], [0.1, 0.4]];
    const W2: Mat = [[0.5, 0.1], [-0.3, 0.2], [0.2, -0.6]];
    const bias = [0.1, -0.1];
    const v = [1.5, -0.7];
    const qW = matmul(query, W1)[0]!;
    const scores = h.map((hj) => {
      const hW = matmul([hj], W2)[0]!;
      return dot(v, qW.map((x, u) => Math.tanh(x + hW[u]! + bias[u]!)));
    });
    const [ctx, wts] = attendRef([scores], h, [1, 1, 0]); // third key is padding
    const layer = new BahdanauAttention({ units: 2 });
    const qt = tf.tensor2d(query), ht = tf.tensor3d([h]), mt = tf.tensor2d([[1, 1, 0]]);
    tf.dispose(layer.apply([qt, ht]) as tf.Tensor[]);
    const weights = [tf.tensor2d(W1), tf.tensor2d(W2), tf.tensor1d(bias), tf.tensor2d(v.map((x) => [x]))];
    layer.setWeights(weights);
    const [c, w] = layer.apply([qt, ht, mt]) as tf.Tensor[];
    expectClose(w!, wts, 1e-5);
    expectClose(c!, ctx, 1e-5);
    tf.dispose([c!, w!, qt, ht, mt, ...weights]);
  });

  it('masked keys get ~0 weight; rows sum to 1', () => {
    const [c, w] = new BahdanauAttention({ units: 4, seed: 2 }).apply([qs, mem, mask]) as tf.Tensor[];
    arr<number[][][]>(w!).forEach((rows, b) => rows.forEach((row) => {
      expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
      if (b === 0) expect(Math.max(...row.slice(2))).toBeLessThan(1e-6);
    }));
    tf.dispose([c!, w!]);
  });

  it('serialises and leaks no tensors', () => {
    const layer = new BahdanauAttention({ units: 5, seed: 3 });
    const copy = expectRoundTrip(layer, [q, mem, mask]) as BahdanauAttention;
    expect([copy.units, copy.seed]).toEqual([5, 3]);
    expectNoLeak(layer, [q, mem, mask]);
  });
});

describe('BahdanauAttention gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it('finite differences agree with autodiff for query, memory and weights', () => {
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    expectLayerGradients(new BahdanauAttention({ units: 3, seed: 5 }), [randn([2, 3], 6), randn([2, 3, 2], 7)], [mask]);
  });
});
