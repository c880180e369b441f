import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSimdActivations, unregisterSimdActivations } from '../../../lib/ml/kernels/index.ts';
import { useBackend } from '../helpers.ts';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('SIMD Tanh and Sigmoid on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => registerSimdActivations());

  it('match the stock kernels within 3e-7 over a wide range, odd sizes, and in gradients, without leaking', () => {
    // Large enough to take the SIMD path; an odd length exercises the partial last vector.
    const x = tf.mul(tf.randomNormal([4099], 0, 1, 'float32', 1), tf.linspace(0.01, 40, 4099));
    const extremes = tf.tensor1d([-1e30, -100, -88, -20, -1e-8, 0, 1e-8, 20, 88, 100, 1e30, ...new Array(1100).fill(0.5)]);
    const run = (): number[][] => tf.tidy(() => [x, extremes].flatMap((v) => [
      Array.from(tf.tanh(v).dataSync()), Array.from(tf.sigmoid(v).dataSync()),
      Array.from(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.tanh(z), tf.sigmoid(z))))(v).dataSync()),
    ]));
    unregisterSimdActivations();
    const stock = run();
    registerSimdActivations();
    expect(tf.getKernel('Tanh', 'wasm')).toBeDefined();
    const before = tf.memory().numTensors;
    const simd = run();
    expect(tf.memory().numTensors).toBe(before);
    simd.forEach((v, i) => {
      expect(v.every(Number.isFinite), `row ${i} finite`).toBe(true);
      expect(maxAbsDiff(v, stock[i]!), `row ${i}`).toBeLessThan(3e-7);
    });
    tf.dispose([x, extremes]);
  });
});
