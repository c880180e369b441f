import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiHeadAttention } from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import {
  type Mat, arr, expectClose, expectLayerGradients, expectNoLeak, expectRoundTrip, mhaRef, randn,
} from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('MultiHeadAttention', () => {
  let x: tf.Tensor, mem: tf.Tensor, mask: tf.Tensor, selfMask: tf.Tensor;
  beforeAll(() => {
    x = randn([2, 3, 8], 1);
    mem = randn([2, 5, 6], 2);
    mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    selfMask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
  });
  afterAll(() => tf.dispose([x, mem, mask, selfMask]));

  it('self-attention from a single tensor: output (b,t,d), weights (b,h,t,t)', () => {
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 4, seed: 1 });
    const [y, w] = layer.apply(x) as tf.Tensor[];
    expect([y!.shape, w!.shape]).toEqual([[2, 3, 8], [2, 2, 3, 3]]);
    expect(layer.computeOutputShape([null, 3, 8])).toEqual([[null, 3, 8], [null, 2, 3, 3]]);
    tf.dispose([y!, w!]);
  });

  it('cross-attention with valueDim/outputDim: output (b,tq,out), weights (b,h,tq,tk)', () => {
    const layer = new MultiHeadAttention({ numHeads: 3, keyDim: 2, valueDim: 5, outputDim: 7, seed: 1 });
    const [y, w] = layer.apply([x, mem, mem, mask]) as tf.Tensor[];
    expect([y!.shape, w!.shape]).toEqual([[2, 3, 7], [2, 3, 3, 5]]);
    expect(layer.computeOutputShape([[null, 3, 8], [null, 5, 6], [null, 5, 6]])).toEqual([[null, 3, 7], [null, 3, 3, 5]]);
    expect(layer.trainableWeights.map((v) => v.shape)).toEqual([[8, 6], [6], [6, 6], [6], [6, 15], [15], [15, 7], [7]]);
    tf.dispose([y!, w!]);
  });

  it('matches a plain-JS multi-head computation (2 heads, biases, key mask)', () => {
    const q: Mat = [[1, 0], [0.5, -1]];
    const kv: Mat = [[0, 1], [1, 1], [-1, 0.5]];
    const w: Record<string, Mat | number[]> = {
      query_kernel: [[0.5, -0.3], [0.2, 0.8]], query_bias: [0.1, 0],
      key_kernel: [[1, 0.4], [-0.6, 0.3]], key_bias: [0, -0.2],
      value_kernel: [[0.7, -0.1], [0.2, 0.9]], value_bias: [0.05, 0.1],
      output_kernel: [[1, -0.5], [0.3, 0.6]], output_bias: [0, 0.3],
    };
    const keyMask = [1, 1, 0];
    const [yRef, wRef] = mhaRef(q, kv, kv, w, 2, keyMask);
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 1 });
    const qt = tf.tensor3d([q]), kt = tf.tensor3d([kv]), mt = tf.tensor2d([keyMask]);
    tf.dispose(layer.apply([qt, kt, kt]) as tf.Tensor[]);
    const order = ['query', 'key', 'value', 'output'].flatMap((n) => [`${n}_kernel`, `${n}_bias`]);
    const tensors = order.map((n) => tf.tensor(w[n]!));
    layer.setWeights(tensors);
    const [y, wt] = layer.apply([qt, kt, kt, mt]) as tf.Tensor[];
    expectClose(y!, yRef, 1e-5);
    expectClose(wt!, wRef, 1e-5);
    tf.dispose([y!, wt!, qt, kt, mt, ...tensors]);
  });

  it('masks: padded keys get ~0 weight in every head; causal self-attention; rows sum to 1', () => {
    const [y, w] = new MultiHeadAttention({ numHeads: 2, keyDim: 3, seed: 2 }).apply([x, mem, mem, mask]) as tf.Tensor[];
    arr<number[][][][]>(w!).forEach((heads, b) => heads.forEach((rows) => rows.forEach((row) => {
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      if (b === 0) expect(Math.max(row[3]!, row[4]!)).toBeLessThan(1e-6);
    })));
    const causal = new MultiHeadAttention({ numHeads: 2, keyDim: 3, causal: true, seed: 2 });
    const [y2, w2] = causal.apply([x, x, x, selfMask]) as tf.Tensor[];
    arr<number[][][][]>(w2!).forEach((heads, b) => heads.forEach((rows) => rows.forEach((row, i) => row.forEach((v, j) => {
      if (j > i || (b === 0 && j === 2)) expect(v).toBeLessThan(1e-6);
    }))));
    tf.dispose([y!, w!, y2!, w2!]);
  });

  it('padding does not change the outputs at real query steps', () => {
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 3, seed: 3 });
    const noise = tf.tensor3d([[[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [9, 9, 9, 9, 9, 9], [-5, 3, 2, 1, 0, 7]]]);
    const a = mem.slice([0, 0, 0], [1, 5, 6]);
    const b = a.add(noise);
    const m = mask.slice([0, 0], [1, 5]);
    const q0 = x.slice([0, 0, 0], [1, 3, 8]);
    const [ya, wa] = layer.apply([q0, a, a, m]) as tf.Tensor[];
    const [yb, wb] = layer.apply([q0, b, b, m]) as tf.Tensor[];
    expectClose(yb!, arr(ya!), 1e-5);
    tf.dispose([noise, a, b, m, q0, ya!, wa!, yb!, wb!]);
  });

  it('works in a functional model with symbolic inputs', () => {
    const qi = tf.input({ shape: [3, 8] }), ki = tf.input({ shape: [5, 6] }), mi = tf.input({ shape: [5] });
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 4, seed: 4 });
    const outs = layer.apply([qi, ki, ki, mi]) as tf.SymbolicTensor[];
    const model = tf.model({ inputs: [qi, ki, mi], outputs: outs });
    const [y, w] = model.predict([x, mem, mask]) as tf.Tensor[];
    const [y0, w0] = layer.apply([x, mem, mem, mask]) as tf.Tensor[];
    expectClose(y!, arr(y0!), 1e-6);
    expectClose(w!, arr(w0!), 1e-6);
    tf.dispose([y!, w!, y0!, w0!]);
  });

  it('serialises and leaks no tensors', () => {
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2, outputDim: 4, useBias: false, causal: true, seed: 5 });
    const copy = expectRoundTrip(layer, [x, mem, mem, mask]) as MultiHeadAttention;
    expect([copy.numHeads, copy.keyDim, copy.valueDim, copy.outputDim, copy.useBias, copy.causal, copy.seed])
      .toEqual([2, 3, 2, 4, false, true, 5]);
    expect(copy.trainableWeights.length).toBe(4);
    expectNoLeak(layer, [x, mem, mem, mask]);
    expectNoLeak(new MultiHeadAttention({ numHeads: 2, keyDim: 3 }), x);
  });
});

describe('MultiHeadAttention gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it('finite differences agree with autodiff for query, key, value and weights', () => {
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 2, seed: 6 });
    // Softmax ignores a shift shared by all keys, so the key bias gets exactly no gradient.
    expectLayerGradients(layer, [randn([2, 2, 3], 7), randn([2, 3, 2], 8), randn([2, 3, 2], 9)], [mask], { invariant: ['key_bias'] });
  });
});
