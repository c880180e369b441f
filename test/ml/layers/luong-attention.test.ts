import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuongAttention, type LuongScore } from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import {
  type Mat, arr, attendRef, dot, expectClose, expectLayerGradients, expectNoLeak, expectRoundTrip, matmul, randn,
} from './support.ts';

beforeAll(async () => {
  await useBackend();
});

const SCORES: LuongScore[] = ['dot', 'general', 'concat'];

describe('LuongAttention', () => {
  let q: tf.Tensor, qs: tf.Tensor, mem: tf.Tensor, mask: tf.Tensor;
  beforeAll(() => {
    q = randn([2, 4], 1); // one decoder step
    qs = randn([2, 3, 4], 2); // a query sequence
    mem = randn([2, 5, 4], 3);
    mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
  });
  afterAll(() => tf.dispose([q, qs, mem, mask]));

  it.each(SCORES)('%s: shapes for a step query and for a query sequence', (score) => {
    const layer = new LuongAttention({ score, seed: 1 });
    const [c, w] = layer.apply([q, mem, mask]) as tf.Tensor[];
    expect([c!.shape, w!.shape]).toEqual([[2, 4], [2, 5]]);
    const [c3, w3] = layer.apply([qs, mem, mask]) as tf.Tensor[];
    expect([c3!.shape, w3!.shape]).toEqual([[2, 3, 4], [2, 3, 5]]);
    expect(layer.computeOutputShape([[null, 4], [null, 5, 4], [null, 5]])).toEqual([[null, 4], [null, 5]]);
    tf.dispose([c!, w!, c3!, w3!]);
  });

  it('matches hand-computed scores for dot, general and concat', () => {
    // One example, query [1, 2], memory rows h1 = [1, 0], h2 = [0, 1], h3 = [1, 1].
    const query = tf.tensor2d([[1, 2]]);
    const memory = tf.tensor3d([[[1, 0], [0, 1], [1, 1]]]);
    const h: Mat = [[1, 0], [0, 1], [1, 1]];
    const W: Mat = [[0.5, -1], [0.25, 2]];
    const Wq: Mat = [[1, 0, 0.5], [0, -1, 1]];
    const Wm: Mat = [[0.2, 0.3, -0.4], [0.1, -0.2, 0.6]];
    const v = [1, -2, 0.5];
    // dot: [1, 2, 3]; general: qW = [0.5 + 0.5, -1 + 4] = [1, 3] → [1, 3, 4];
    // concat: v · tanh(q Wq + h_j Wm) computed with loops below.
    const qWq = matmul([[1, 2]], Wq)[0]!;
    const concat = h.map((hj) => {
      const hWm = matmul([hj], Wm)[0]!;
      return dot(v, qWq.map((x, u) => Math.tanh(x + hWm[u]!)));
    });
    const cases: [LuongScore, tf.Tensor[], number[]][] = [
      ['dot', [], [1, 2, 3]],
      ['general', [tf.tensor2d(W)], [1, 3, 4]],
      ['concat', [tf.tensor2d(Wq), tf.tensor2d(Wm), tf.tensor2d(v.map((x) => [x]))], concat],
    ];
    for (const [score, weights, scores] of cases) {
      const layer = new LuongAttention({ score, units: 3 });
      tf.dispose(layer.apply([query, memory]) as tf.Tensor[]);
      layer.setWeights(weights);
      const [c, w] = layer.apply([query, memory]) as tf.Tensor[];
      const [ctx, wts] = attendRef([scores], h);
      expectClose(w!, wts, 1e-5);
      expectClose(c!, ctx, 1e-5);
      tf.dispose([c!, w!, ...weights]);
    }
    tf.dispose([query, memory]);
  });

  it.each(SCORES)('%s: masked keys get ~0 weight, rows sum to 1', (score) => {
    const [c, w] = new LuongAttention({ score, seed: 2 }).apply([qs, mem, mask]) as tf.Tensor[];
    (arr<number[][][]>(w!)).forEach((rows, b) => rows.forEach((row) => {
      expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
      if (b === 0) expect(Math.max(row[3]!, row[4]!)).toBeLessThan(1e-6);
    }));
    tf.dispose([c!, w!]);
  });

  it('rejects dot scores between different widths', () => {
    const layer = new LuongAttention({ score: 'dot' });
    expect(() => layer.apply([tf.zeros([1, 3]), tf.zeros([1, 2, 4])])).toThrow(/general/);
  });

  it.each(SCORES)('%s: serialises and leaks no tensors', (score) => {
    const layer = new LuongAttention({ score, units: 6, seed: 4 });
    const copy = expectRoundTrip(layer, [q, mem, mask]) as LuongAttention;
    expect([copy.score, copy.units, copy.seed]).toEqual([score, 6, 4]);
    expectNoLeak(layer, [qs, mem, mask]);
  });

  it('same seed, same weights', () => {
    const a = new LuongAttention({ score: 'concat', seed: 9 });
    const b = new LuongAttention({ score: 'concat', seed: 9 });
    tf.dispose([...(a.apply([q, mem]) as tf.Tensor[]), ...(b.apply([q, mem]) as tf.Tensor[])]);
    a.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(b.getWeights()[i]!.dataSync())));
  });
});

describe('LuongAttention gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it.each(SCORES)('%s: finite differences agree with autodiff for query, memory and weights', (score) => {
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    expectLayerGradients(new LuongAttention({ score, units: 3, seed: 5 }), [randn([2, 2, 3], 6), randn([2, 3, 3], 7)], [mask]);
  });
});
