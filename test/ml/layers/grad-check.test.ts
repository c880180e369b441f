import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradCheck, projectToScalar } from '../grad-check.ts';
import { useBackend } from '../helpers.ts';

beforeAll(async () => {
  await useBackend('cpu');
});
afterAll(async () => {
  await useBackend('wasm');
});

describe('gradCheck (the checker itself)', () => {
  it('accepts correct gradients of inputs and weights', () => {
    const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.3]]));
    const x = tf.tensor2d([[1, 2], [-0.5, 0.7]]);
    const res = gradCheck(([xi]) => projectToScalar([tf.tanh(tf.matMul(xi!, w))]), [x], [w]);
    expect(res.checked).toBe(8);
    expect(res.mismatches).toEqual([]);
    expect(res.maxAbsGrad).toBeGreaterThan(0.1);
    tf.dispose([w, x]);
  });

  it('reports a wrong gradient (custom gradient off by a factor of 2)', () => {
    const badSquare = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const a = args[0] as tf.Tensor;
      const save = args[1] as tf.GradSaveFunc;
      save([a]);
      return { value: a.square(), gradFunc: (dy, saved) => dy.mul(saved[0]!).mul(4) };
    });
    const x = tf.tensor1d([0.5, -1, 2]);
    const res = gradCheck(([xi]) => (badSquare(xi!) as tf.Tensor).sum() as tf.Scalar, [x], []);
    expect(res.mismatches.map((m) => m.index)).toEqual([0, 1, 2]);
    expect(res.mismatches[0]!.numeric).toBeCloseTo(1, 3);
    expect(res.mismatches[0]!.analytic).toBeCloseTo(2, 5);
    x.dispose();
  });

  it('restores perturbed weights and leaks no tensors', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const x = tf.tensor1d([4, 5, 6]);
    const before = tf.memory().numTensors;
    gradCheck(([xi]) => xi!.mul(w).sum() as tf.Scalar, [x], [w]);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(w.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([w, x]);
  });
});
