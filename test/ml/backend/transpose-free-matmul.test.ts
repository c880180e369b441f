import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTransposeFreeMatMul, unregisterTransposeFreeMatMul } from '../../../lib/ml/kernels/index.ts';
import { useBackend } from '../helpers.ts';
import { maxRelDiff } from '../rnn/support.ts';

describe('transpose-free wasm BatchMatMul', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  // initBackend registers it by default; leave it registered as we found it.
  afterAll(() => registerTransposeFreeMatMul());

  it('is what initBackend installs on wasm', () => {
    const installed = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    unregisterTransposeFreeMatMul();
    const stock = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    registerTransposeFreeMatMul();
    expect(installed).not.toBe(stock);
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).not.toBe(stock);
  });

  it('gives the stock results for every transpose combination, 2-D and batched, without leaking', () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[5, 7], [7, 3], false, false], [[7, 5], [7, 3], true, false], [[5, 7], [3, 7], false, true],
      [[7, 5], [3, 7], true, true], [[2, 7, 5], [2, 3, 7], true, true], [[2, 5, 7], [2, 3, 7], false, true],
    ];
    const inputs = cases.map(([sa, sb], i) => [tf.randomNormal(sa, 0, 1, 'float32', i), tf.randomNormal(sb, 0, 1, 'float32', 10 + i)] as const);
    const run = (): Float32Array[] => inputs.map(([a, b], i) => tf.tidy(() => tf.matMul(a, b, cases[i]![2], cases[i]![3]).dataSync() as Float32Array));
    unregisterTransposeFreeMatMul();
    const stock = run();
    registerTransposeFreeMatMul();
    const before = tf.memory().numTensors;
    const fixed = run();
    expect(tf.memory().numTensors).toBe(before);
    fixed.forEach((v, i) => expect(maxRelDiff(v, stock[i]!)).toBeLessThan(1e-6));
    tf.dispose(inputs.flat());
  });
});
