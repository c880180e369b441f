import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSimdMatMul, registerTransposeFreeMatMul, unregisterSimdMatMul } from '../../../lib/ml/kernels/index.ts';
import { useSimd } from '../../../lib/ml/kernels/simd-matmul.ts';
import { useBackend } from '../helpers.ts';
import { maxRelDiff } from '../rnn/support.ts';

describe('SIMD batched BatchMatMul on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => {
    registerTransposeFreeMatMul();
    registerSimdMatMul();
  });

  it('is installed by initBackend and routes batches only', () => {
    const installed = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    unregisterSimdMatMul();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).not.toBe(installed);
    registerSimdMatMul();
    expect(useSimd(4, 3, 5, 7)).toBe(true);
    expect(useSimd(1, 300, 500, 700)).toBe(false);
  });

  it('equals the XNNPACK results for transposes, odd sizes, rank 3–4 and batch broadcasting, without leaking', () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[3, 5, 7], [3, 7, 9], false, false], [[3, 7, 5], [3, 7, 9], true, false], [[3, 5, 7], [3, 9, 7], false, true],
      [[3, 7, 5], [3, 9, 7], true, true], [[2, 3, 4, 6], [2, 3, 6, 10], false, false], [[1, 5, 7], [4, 7, 3], false, false],
      [[4, 5, 7], [7, 3], false, false], [[6, 1, 13], [6, 13, 1], false, false], [[32, 10, 50], [32, 50, 128], false, false],
      [[2, 3, 5, 7], [3, 7, 2], false, false],
    ];
    const inputs = cases.map(([sa, sb], i) => [tf.randomNormal(sa, 0, 1, 'float32', i), tf.randomNormal(sb, 0, 1, 'float32', 20 + i)] as const);
    const run = (): Float32Array[] => inputs.map(([a, b], i) => tf.tidy(() => tf.matMul(a, b, cases[i]![2], cases[i]![3]).dataSync() as Float32Array));
    unregisterSimdMatMul();
    const xnn = run();
    registerSimdMatMul();
    const before = tf.memory().numTensors;
    const simd = run();
    expect(tf.memory().numTensors).toBe(before);
    simd.forEach((v, i) => {
      expect(v.length, `case ${i}`).toBe(xnn[i]!.length);
      expect(maxRelDiff(v, xnn[i]!), `case ${i}`).toBeLessThan(1e-5);
    });
    tf.dispose(inputs.flat());
  });

  it('gives the same gradients as XNNPACK through a batched product', () => {
    const a = tf.randomNormal([4, 3, 5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([4, 5, 6], 0, 1, 'float32', 2);
    const w = tf.randomNormal([4, 3, 6], 0, 1, 'float32', 3);
    const grads = (): Float32Array[] => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), w)))([a, b]).map((g) => {
      const v = g.dataSync() as Float32Array;
      g.dispose();
      return v;
    });
    unregisterSimdMatMul();
    const xnn = grads();
    registerSimdMatMul();
    grads().forEach((g, i) => expect(maxRelDiff(g, xnn[i]!)).toBeLessThan(1e-5));
    tf.dispose([a, b, w]);
  });
});
