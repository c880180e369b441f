import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoverageAttention, coveragePenalty } from '../../../lib/ml/layers/index.ts';
import { gradCheck } from '../grad-check.ts';
import { useBackend } from '../helpers.ts';
import {
  type Mat, arr, attendRef, dot, expectClose, expectLayerGradients, expectNoLeak, expectRoundTrip, matmul, randn,
} from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('CoverageAttention', () => {
  let q: tf.Tensor, mem: tf.Tensor, mask: tf.Tensor;
  beforeAll(() => {
    q = randn([2, 3], 1);
    mem = randn([2, 4, 5], 2);
    mask = tf.tensor2d([[1, 1, 1, 0], [1, 1, 1, 1]]);
  });
  afterAll(() => tf.dispose([q, mem, mask]));

  it('one step: context (b,dm), weights (b,tk), newCoverage = coverage + weights', () => {
    const layer = new CoverageAttention({ units: 6, seed: 1 });
    const cov = tf.tensor2d([[0.5, 0.2, 0, 0], [0, 0, 1, 0]]);
    const [c, w, nc] = layer.apply([q, mem, cov, mask]) as tf.Tensor[];
    expect([c!.shape, w!.shape, nc!.shape]).toEqual([[2, 5], [2, 4], [2, 4]]);
    expect(layer.computeOutputShape([[null, 3], [null, 4, 5], [null, 4]])).toEqual([[null, 5], [null, 4], [null, 4]]);
    const expected = (arr(cov) as Mat).map((row, b) => row.map((x, j) => x + arr<Mat>(w!)[b]![j]!));
    expectClose(nc!, expected, 1e-6);
    tf.dispose([cov, c!, w!, nc!]);
  });

  it('matches a hand computation, and coverage changes the scores', () => {
    const query: Mat = [[1, 0.5]];
    const h: Mat = [[1, 0], [0, 1], [1, -1]];
    const W1: Mat = [[0.2, -0.5], [0.4, 0.3]];
    const W2: Mat = [[0.6, 0.1], [-0.2, 0.5]];
    const wc = [-2, 1];
    const bias = [0, 0.2];
    const v = [1, -1];
    const coverage = [0.9, 0.1, 0];
    const qW = matmul(query, W1)[0]!;
    const scores = h.map((hj, j) => {
      const hW = matmul([hj], W2)[0]!;
      return dot(v, qW.map((x, u) => Math.tanh(x + hW[u]! + wc[u]! * coverage[j]! + bias[u]!)));
    });
    const [ctx, wts] = attendRef([scores], h);
    const layer = new CoverageAttention({ units: 2 });
    const qt = tf.tensor2d(query), ht = tf.tensor3d([h]), ct = tf.tensor2d([coverage]);
    tf.dispose(layer.apply([qt, ht, ct]) as tf.Tensor[]);
    // Weight order: query_kernel, memory_kernel, coverage_kernel, bias, v.
    const weights = [tf.tensor2d(W1), tf.tensor2d(W2), tf.tensor1d(wc), tf.tensor1d(bias), tf.tensor2d(v.map((x) => [x]))];
    layer.setWeights(weights);
    const [c, w, nc] = layer.apply([qt, ht, ct]) as tf.Tensor[];
    expectClose(w!, wts, 1e-5);
    expectClose(c!, ctx, 1e-5);
    expectClose(nc!, [coverage.map((x, j) => x + wts[0]![j]!)], 1e-5);
    const zero = tf.zeros([1, 3]);
    const [c0, w0, nc0] = layer.apply([qt, ht, zero]) as tf.Tensor[];
    expect(Math.abs(w0!.dataSync()[0]! - wts[0]![0]!)).toBeGreaterThan(1e-3);
    tf.dispose([c!, w!, nc!, c0!, w0!, nc0!, zero, qt, ht, ct, ...weights]);
  });

  it('masked keys get ~0 weight and no coverage; rows sum to 1', () => {
    const layer = new CoverageAttention({ units: 4, seed: 2 });
    let cov: tf.Tensor = tf.zeros([2, 4]);
    for (let step = 0; step < 3; step++) {
      const [c, w, nc] = layer.apply([q, mem, cov, mask]) as tf.Tensor[];
      arr<Mat>(w!).forEach((row) => expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5));
      expect(arr<Mat>(w!)[0]![3]!).toBeLessThan(1e-6);
      tf.dispose([c!, w!, cov]);
      cov = nc!;
    }
    expect(arr<Mat>(cov)[0]![3]!).toBeLessThan(1e-5);
    expect(arr<Mat>(cov)[1]!.reduce((s, x) => s + x, 0)).toBeCloseTo(3, 4);
    cov.dispose();
  });

  it('rejects a query sequence (coverage is sequential)', () => {
    const layer = new CoverageAttention({ units: 2 });
    expect(() => layer.apply([tf.zeros([1, 2, 3]), tf.zeros([1, 4, 5]), tf.zeros([1, 4])])).toThrow(/one decoder step/);
  });

  it('serialises and leaks no tensors', () => {
    const cov = tf.tensor2d([[0.5, 0.2, 0, 0], [0, 0, 1, 0]]);
    const layer = new CoverageAttention({ units: 3, seed: 3 });
    const copy = expectRoundTrip(layer, [q, mem, cov, mask]) as CoverageAttention;
    expect([copy.units, copy.seed]).toEqual([3, 3]);
    expectNoLeak(layer, [q, mem, cov, mask]);
    cov.dispose();
  });
});

describe('coveragePenalty', () => {
  it('one step: Σ_i min(a_i, c_i), averaged over the batch', () => {
    const a = tf.tensor2d([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]);
    const c = tf.tensor2d([[0.2, 0.6, 0], [1, 0, 1]]);
    // min: [0.2, 0.3, 0] = 0.5 and [0.1, 0, 0.8] = 0.9 → mean 0.7
    const p = coveragePenalty(a, c);
    expect(p.shape).toEqual([]);
    expect(p.dataSync()[0]).toBeCloseTo(0.7, 6);
    tf.dispose([a, c, p]);
  });

  it('history (b,T,tk): coverage before each step accumulates from the given start', () => {
    const history = tf.tensor3d([[[0.6, 0.4], [0.5, 0.5], [0.1, 0.9]]]);
    const start = tf.zeros([1, 2]);
    // step 0: c = [0, 0] → 0; step 1: c = [0.6, 0.4] → 0.5 + 0.4 = 0.9;
    // step 2: c = [1.1, 0.9] → 0.1 + 0.9 = 1.0. Total 1.9.
    const p = coveragePenalty(history, start);
    expect(p.dataSync()[0]).toBeCloseTo(1.9, 6);
    const before = tf.memory().numTensors;
    coveragePenalty(history, start).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([history, start, p]);
  });
});

describe('CoverageAttention gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it('finite differences agree with autodiff for query, memory, coverage and weights', () => {
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    const cov = tf.tensor2d([[0.3, 0.5, 0], [0.1, 0.9, 0.4]]);
    expectLayerGradients(new CoverageAttention({ units: 3, seed: 5 }), [randn([2, 3], 6), randn([2, 3, 2], 7), cov], [mask]);
  });
});

describe('coveragePenalty gradients (cpu)', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  afterAll(async () => { await useBackend('wasm'); });

  it('the history form agrees with finite differences for the weights and the start coverage', () => {
    // Values spread over [0, 1) with no near-ties between a weight and the coverage before it,
    // so min() is differentiable within the step; T ≠ tk catches a transposed gradient.
    const history = tf.randomUniform([2, 4, 3], 0.05, 0.95, 'float32', 11);
    const start = tf.randomUniform([2, 3], 0, 0.5, 'float32', 12);
    const r = gradCheck(([h, c]) => coveragePenalty(h!, c!), [history, start], [], { eps: 1e-3, maxPerTensor: 100 });
    expect(r.checked).toBe(24 + 6);
    expect(r.maxAbsGradByTensor['input[0]']).toBeGreaterThan(0.1);
    expect(r.mismatches).toEqual([]);
    tf.dispose([history, start]);
  });

  it('also when T = tk, where a transposed gradient has the right shape but wrong values', () => {
    const history = tf.randomUniform([2, 3, 3], 0.05, 0.95, 'float32', 13);
    const start = tf.randomUniform([2, 3], 0, 0.5, 'float32', 14);
    const r = gradCheck(([h, c]) => coveragePenalty(h!, c!), [history, start], [], { eps: 1e-3, maxPerTensor: 100 });
    expect(r.checked).toBe(18 + 6);
    expect(r.mismatches).toEqual([]);
    tf.dispose([history, start]);
  });
});
