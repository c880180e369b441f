import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryModule } from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import {
  type Mat, addRow, arr, attendRef, expectClose, expectLayerGradients, expectNoLeak, expectRoundTrip, matmul, randn,
  transpose,
} from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('MemoryModule', () => {
  let x: tf.Tensor, mask: tf.Tensor;
  beforeAll(() => {
    x = randn([2, 4, 3], 1);
    mask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 1, 1]]);
  });
  afterAll(() => tf.dispose([x, mask]));

  it('output (b,t,d), read weights (b,t,N); weights are slots (N,d), query, gate', () => {
    const layer = new MemoryModule({ numSlots: 5, seed: 1 });
    const [y, w] = layer.apply(x) as tf.Tensor[];
    expect([y!.shape, w!.shape]).toEqual([[2, 4, 3], [2, 4, 5]]);
    expect(layer.computeOutputShape([null, 4, 3])).toEqual([[null, 4, 3], [null, 4, 5]]);
    expect(layer.trainableWeights.map((v) => v.shape)).toEqual([[5, 3], [3, 3], [6, 3], [3]]);
    tf.dispose([y!, w!]);
  });

  it('matches a hand computation: y = x + σ([x; r] W_g + b_g) ⊙ r, r = softmax(x W_q Mᵀ/√d) M', () => {
    const xs: Mat = [[1, 0], [0.5, -1]];
    const slots: Mat = [[1, 1], [0, 2], [-1, 0.5]];
    const Wq: Mat = [[0.5, 0.2], [-0.3, 1]];
    const Wg: Mat = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.2, 0.1]];
    const bg = [0.1, -0.3];
    const scores = matmul(matmul(xs, Wq), transpose(slots)).map((r) => r.map((v) => v / Math.SQRT2));
    const [read, weights] = attendRef(scores, slots);
    const gate = addRow(matmul(xs.map((r, i) => [...r, ...read[i]!]), Wg), bg).map((r) => r.map((v) => 1 / (1 + Math.exp(-v))));
    const expected = xs.map((r, i) => r.map((v, j) => v + gate[i]![j]! * read[i]![j]!));
    const layer = new MemoryModule({ numSlots: 3 });
    const xt = tf.tensor3d([xs]);
    tf.dispose(layer.apply(xt) as tf.Tensor[]);
    const ws = [tf.tensor2d(slots), tf.tensor2d(Wq), tf.tensor2d(Wg), tf.tensor1d(bg)];
    layer.setWeights(ws);
    const [y, w] = layer.apply(xt) as tf.Tensor[];
    expectClose(y!, [expected], 1e-5);
    expectClose(w!, [weights], 1e-5);
    tf.dispose([xt, y!, w!, ...ws]);
  });

  it('padded steps pass through unchanged with zero read weight; real rows sum to 1', () => {
    const [y, w] = new MemoryModule({ numSlots: 4, seed: 2 }).apply([x, mask]) as tf.Tensor[];
    const ys = arr<Mat[]>(y!), xs = arr<Mat[]>(x), ws = arr<Mat[]>(w!), ms = arr<Mat>(mask);
    ms.forEach((row, b) => row.forEach((m, t) => {
      const sum = ws[b]![t]!.reduce((s, v) => s + v, 0);
      if (m === 0) {
        expect(ys[b]![t]).toEqual(xs[b]![t]);
        expect(sum).toBe(0);
      } else {
        expect(sum).toBeCloseTo(1, 5);
        expect(ys[b]![t]).not.toEqual(xs[b]![t]);
      }
    }));
    tf.dispose([y!, w!]);
  });

  it('serialises and leaks no tensors', () => {
    const layer = new MemoryModule({ numSlots: 6, seed: 3 });
    const copy = expectRoundTrip(layer, [x, mask]) as MemoryModule;
    expect([copy.numSlots, copy.seed]).toEqual([6, 3]);
    expectNoLeak(layer, [x, mask]);
  });
});

describe('MemoryModule gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it('finite differences agree with autodiff for the input, slots, query and gate weights', () => {
    expectLayerGradients(new MemoryModule({ numSlots: 3, seed: 4 }), [randn([2, 3, 2], 5)], [tf.tensor2d([[1, 1, 0], [1, 1, 1]])]);
  });
});
