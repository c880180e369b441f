import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledDotProductAttention } from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import {
  arr, attendRef, expectClose, expectLayerGradients, expectNoLeak, expectRoundTrip, matmul, randn, transpose,
} from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('ScaledDotProductAttention', () => {
  let q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor;
  beforeAll(() => {
    q = randn([2, 3, 4], 1);
    k = randn([2, 5, 4], 2);
    v = randn([2, 5, 6], 3);
    mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
  });
  afterAll(() => tf.dispose([q, k, v, mask]));

  it('returns context (b,tq,dv) and weights (b,tq,tk), matching computeOutputShape', () => {
    const layer = new ScaledDotProductAttention();
    const [c, w] = layer.apply([q, k, v]) as tf.Tensor[];
    expect(c!.shape).toEqual([2, 3, 6]);
    expect(w!.shape).toEqual([2, 3, 5]);
    expect(layer.computeOutputShape([[null, 3, 4], [null, 5, 4], [null, 5, 6]])).toEqual([[null, 3, 6], [null, 3, 5]]);
    tf.dispose([c!, w!]);
  });

  it('matches the hand-computed case, scaled and unscaled', () => {
    // q = [1,0]; k = I; v = [[1,2],[3,4]]. Scaled scores [1/√2, 0] → softmax [0.66976, 0.33024];
    // unscaled [1, 0] → [0.73106, 0.26894]; context = Σ w_j v_j.
    const qq = tf.tensor3d([[[1, 0]]]);
    const kk = tf.tensor3d([[[1, 0], [0, 1]]]);
    const vv = tf.tensor3d([[[1, 2], [3, 4]]]);
    const [c1, w1] = new ScaledDotProductAttention({ scale: true }).apply([qq, kk, vv]) as tf.Tensor[];
    expectClose(w1!, [0.6697615, 0.3302385]);
    expectClose(c1!, [1.6604769, 2.6604769]);
    const [c2, w2] = new ScaledDotProductAttention({ scale: false }).apply([qq, kk, vv]) as tf.Tensor[];
    expectClose(w2!, [0.7310586, 0.2689414]);
    expectClose(c2!, [1.5378828, 2.5378828]);
    tf.dispose([qq, kk, vv, c1!, w1!, c2!, w2!]);
  });

  it('agrees with a plain-JS reference on random inputs with a key mask', () => {
    const [c, w] = new ScaledDotProductAttention().apply([q, k, v, mask]) as tf.Tensor[];
    const qs = arr<number[][][]>(q), ks = arr<number[][][]>(k), vs = arr<number[][][]>(v), ms = arr<number[][]>(mask);
    const expected = qs.map((qb, b) => {
      const scores = matmul(qb, transpose(ks[b]!)).map((row) => row.map((s) => s / 2));
      return attendRef(scores, vs[b]!, ms[b]);
    });
    expectClose(c!, expected.map((e) => e[0]), 1e-4);
    expectClose(w!, expected.map((e) => e[1]), 1e-5);
    tf.dispose([c!, w!]);
  });

  it('gives masked keys ~0 weight and rows summing to 1, for (b,tk) and (b,tq,tk) masks', () => {
    const mask3 = tf.tensor3d([[[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 1]], [[1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [1, 1, 1, 1, 0]]]);
    for (const m of [mask, mask3]) {
      const [c, w] = new ScaledDotProductAttention().apply([q, k, v, m]) as tf.Tensor[];
      const ws = w!.arraySync() as number[][][];
      const mm = m.rank === 2 ? (m.arraySync() as number[][]).map((r) => [r, r, r]) : (m.arraySync() as number[][][]);
      ws.forEach((rows, b) => rows.forEach((row, i) => {
        expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
        row.forEach((x, j) => { if (mm[b]![i]![j] === 0) expect(x).toBeLessThan(1e-6); });
      }));
      tf.dispose([c!, w!]);
    }
    mask3.dispose();
  });

  it('causal: query i sees keys j ≤ i + tk − tq (incremental decoding offset)', () => {
    const [c, w] = new ScaledDotProductAttention({ causal: true }).apply([q, k, v]) as tf.Tensor[];
    (w!.arraySync() as number[][][]).forEach((rows) => rows.forEach((row, i) => row.forEach((x, j) => {
      if (j > i + 2) expect(x).toBeLessThan(1e-6);
      else expect(x).toBeGreaterThan(0);
    })));
    tf.dispose([c!, w!]);
  });

  it('works in a functional model (symbolic inputs, mask as the last input)', () => {
    const ins = [tf.input({ shape: [3, 4] }), tf.input({ shape: [5, 4] }), tf.input({ shape: [5, 6] }), tf.input({ shape: [5] })];
    const outs = new ScaledDotProductAttention().apply(ins) as tf.SymbolicTensor[];
    expect(outs.map((o) => o.shape)).toEqual([[null, 3, 6], [null, 3, 5]]);
    const model = tf.model({ inputs: ins, outputs: outs });
    const [c, w] = model.predict([q, k, v, mask]) as tf.Tensor[];
    const [c0, w0] = new ScaledDotProductAttention().apply([q, k, v, mask]) as tf.Tensor[];
    expectClose(c!, arr(c0!), 1e-6);
    expectClose(w!, arr(w0!), 1e-6);
    tf.dispose([c!, w!, c0!, w0!]);
  });

  it('symbolic self-attention [x, x, x, mask] survives predict() (repeats go through InputCopy)', () => {
    const xi = tf.input({ shape: [5, 4] }), mi = tf.input({ shape: [5] });
    const outs = new ScaledDotProductAttention().apply([xi, xi, xi, mi]) as tf.SymbolicTensor[];
    const model = tf.model({ inputs: [xi, mi], outputs: outs });
    expect(model.layers.filter((l) => l.getClassName() === 'SeqlabInputCopy').length).toBe(2);
    const [c0, w0] = new ScaledDotProductAttention().apply([k, k, k, mask]) as tf.Tensor[];
    for (let i = 0; i < 2; i++) {
      const [c, w] = model.predict([k, mask]) as tf.Tensor[];
      expectClose(c!, arr(c0!), 1e-6);
      expectClose(w!, arr(w0!), 1e-6);
      tf.dispose([c!, w!]);
    }
    tf.dispose([c0!, w0!]);
  });

  it('serialises (fromConfig(getConfig()) gives identical outputs) and leaks no tensors', () => {
    const layer = new ScaledDotProductAttention({ scale: false, causal: true });
    const copy = expectRoundTrip(layer, [q, k, v, mask]) as ScaledDotProductAttention;
    expect(copy.scale).toBe(false);
    expect(copy.causal).toBe(true);
    expectNoLeak(layer, [q, k, v, mask]);
  });
});

describe('ScaledDotProductAttention gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it('finite differences agree with autodiff for query, key and value (no weights)', () => {
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    expectLayerGradients(new ScaledDotProductAttention(), [randn([2, 2, 3], 4), randn([2, 3, 3], 5), randn([2, 3, 2], 6)], [mask]);
  });
});
