import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBlockReverse, unregisterBlockReverse } from '../../../lib/ml/kernels/index.ts';
import { useBackend } from '../helpers.ts';

describe('block-copying wasm Reverse', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  // initBackend registers it by default; leave it registered as we found it.
  afterAll(() => registerBlockReverse());

  it('is what initBackend installs on wasm', () => {
    const installed = tf.getKernel('Reverse', 'wasm')!.kernelFunc;
    unregisterBlockReverse();
    const stock = tf.getKernel('Reverse', 'wasm')!.kernelFunc;
    registerBlockReverse();
    expect(installed).not.toBe(stock);
  });

  it('equals the stock kernel for every axis set, rank 1–4, float32/int32/bool, and a gradient', () => {
    const shapes = [[7], [3, 5], [2, 3, 4], [2, 3, 1, 5]];
    const cases: Array<[tf.Tensor, number[]]> = [];
    shapes.forEach((shape, s) => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', s);
      const r = shape.length;
      for (let m = 0; m < 1 << r; m++) {
        const axes = Array.from({ length: r }, (_, i) => i).filter((i) => m & (1 << i));
        cases.push([x, axes]);
      }
      cases.push([x, [-1]]);
      cases.push([tf.cast(tf.mul(x, 10), 'int32'), [0]]);
    });
    const run = (): number[][] => cases.map(([x, axes]) => tf.tidy(() => Array.from(tf.reverse(x, axes).dataSync())));
    unregisterBlockReverse();
    const stock = run();
    registerBlockReverse();
    const before = tf.memory().numTensors;
    const ours = run();
    expect(tf.memory().numTensors).toBe(before);
    ours.forEach((v, i) => expect(v, `case ${i}: shape ${cases[i]![0].shape}, axes ${cases[i]![1]}`).toEqual(stock[i]));
    // bool: the stock kernel writes 4 bytes per 1-byte element and corrupts the heap (tfjs-backend-wasm
    // 4.22), so compare with the reversed float tensor instead.
    const f = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 7);
    const flags = tf.tidy(() => Array.from(tf.reverse(tf.greater(f, 0), [1, 2]).dataSync()));
    expect(flags).toEqual(tf.tidy(() => Array.from(tf.greater(tf.reverse(f, [1, 2]), 0).dataSync())));
    f.dispose();
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 9);
    const w = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 10);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.reverse(v, 1), w)))(x);
    expect(Array.from(g.dataSync())).toEqual(Array.from(tf.reverse(w, 1).dataSync()));
    tf.dispose([...new Set(cases.map(([t]) => t)), x, w, g]);
  });
});
