import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTENTION_KINDS, dotAttentionStep, makeAttention } from '../../../lib/ml/models/attention-step.ts';
import { useBackend } from '../helpers.ts';

beforeAll(async () => {
  await useBackend();
});

const B = 2;
const T = 5;
const D = 4;

function inputs(): { query: tf.Tensor2D; keys: tf.Tensor3D; values: tf.Tensor3D; mask: tf.Tensor2D } {
  return {
    query: tf.randomNormal([B, D], 0, 1, 'float32', 1) as tf.Tensor2D,
    keys: tf.randomNormal([B, T, D], 0, 1, 'float32', 2) as tf.Tensor3D,
    values: tf.randomNormal([B, T, 3], 0, 1, 'float32', 3) as tf.Tensor3D,
    mask: tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]),
  };
}

describe.each(ATTENTION_KINDS.map((k) => [k]))('attention step %s', (kind) => {
  it('gives (b, dv) context and (b, t) weights summing to 1 over real keys, without leaks', () => {
    const x = inputs();
    const att = makeAttention(kind, { queryDim: D, keyDim: D, valueDim: 3, units: 6, heads: 2, seed: 4 });
    const before = tf.memory().numTensors;
    const state = att.initialState(B, T);
    const out = att.step(x.query, x.keys, x.values, x.mask, state);
    expect(out.context.shape).toEqual([B, kind === 'none' ? 0 : 3]);
    expect(att.contextDim).toBe(kind === 'none' ? 0 : 3);
    expect(out.weights.shape).toEqual([B, T]);
    const w = out.weights.arraySync();
    for (const row of w) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(w[1]?.[3]).toBeLessThan(1e-6);
    expect(w[1]?.[4]).toBeLessThan(1e-6);
    tf.dispose([out.context, out.weights, ...(out.state ?? []), ...(state ?? [])]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(x));
  });
});

describe('attention steps', () => {
  it('dot: softmax(q·k) over real keys, context = weights · values', () => {
    const step = dotAttentionStep(2);
    const query = tf.tensor2d([[1, 0]]);
    const keys = tf.tensor3d([[[1, 0], [0, 1], [2, 0]]]);
    const values = tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]);
    const out = step.step(query, keys, values);
    const e = [Math.E, 1, Math.E ** 2];
    const z = e.reduce((a, b) => a + b, 0);
    const expected = e.map((x) => x / z);
    out.weights.arraySync()[0]?.forEach((x, i) => expect(x).toBeCloseTo(expected[i] ?? NaN, 5));
    const ctx = [0, 1].map((j) => expected.reduce((a, p, i) => a + p * ([[1, 2], [3, 4], [5, 6]][i]?.[j] ?? 0), 0));
    out.context.arraySync()[0]?.forEach((x, j) => expect(x).toBeCloseTo(ctx[j] ?? NaN, 5));
    // With the last key masked it gets no weight.
    const masked = step.step(query, keys, values, tf.tensor2d([[1, 1, 0]]));
    expect(masked.weights.arraySync()[0]?.[2]).toBeLessThan(1e-6);
    expect(masked.weights.arraySync()[0]?.[0]).toBeCloseTo(Math.E / (Math.E + 1), 5);
  });

  it('layer adapters use values for the context (fconv keys ≠ values)', () => {
    const x = inputs();
    for (const kind of ['general', 'concat', 'additive'] as const) {
      const att = makeAttention(kind, { queryDim: D, keyDim: D, valueDim: 3, seed: 1 });
      const out = att.step(x.query, x.keys, x.values, x.mask);
      const expected = tf.matMul(out.weights.expandDims(1), x.values).squeeze([1]);
      expect(tf.abs(tf.sub(expected, out.context)).max().dataSync()[0]).toBeLessThan(1e-6);
    }
  });

  it('coverage carries the running sum of its weights', () => {
    const x = inputs();
    const att = makeAttention('coverage', { queryDim: D, keyDim: D, units: 5, seed: 3 });
    const s0 = att.initialState(B, T);
    const a = att.step(x.query, x.keys, x.keys, x.mask, s0);
    const b = att.step(x.query.mul(2) as tf.Tensor2D, x.keys, x.keys, x.mask, a.state);
    const sum = tf.add(a.weights, b.weights);
    expect(tf.abs(tf.sub(sum, b.state?.[0] ?? tf.scalar(NaN))).max().dataSync()[0]).toBeLessThan(1e-6);
    // Coverage changes the scores: the second step differs from a coverage-free step.
    const fresh = att.step(x.query.mul(2) as tf.Tensor2D, x.keys, x.keys, x.mask, att.initialState(B, T));
    expect(tf.abs(tf.sub(fresh.weights, b.weights)).max().dataSync()[0]).toBeGreaterThan(1e-4);
  });

  it('names its weights under the given prefix, seeded', () => {
    const a = makeAttention('additive', { queryDim: D, keyDim: 6, seed: 8, name: 'dec/att' });
    const b = makeAttention('additive', { queryDim: D, keyDim: 6, seed: 8, name: 'dec/att' });
    expect(a.weights().map((w) => w.name)).toEqual(['dec/att/query_kernel', 'dec/att/memory_kernel', 'dec/att/bias', 'dec/att/v']);
    a.weights().forEach((w, i) => expect(Array.from(w.variable.dataSync())).toEqual(Array.from(b.weights()[i]?.variable.dataSync() ?? [])));
  });

  it("refuses 'dot' between different widths", () => {
    expect(() => makeAttention('dot', { queryDim: 4, keyDim: 8, seed: 1 })).toThrow(/general/);
  });
});
