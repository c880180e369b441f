import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRowGather, unregisterRowGather } from '../../../lib/ml/kernels/index.ts';
import { useBackend } from '../helpers.ts';

describe('row-copying GatherV2 on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => registerRowGather());

  it('equals the stock kernel for embedding lookups, other axes, dtypes and the gradient, without leaking', () => {
    const table = tf.randomNormal([11, 4, 3], 0, 1, 'float32', 1);
    const column = tf.randomNormal([11], 0, 1, 'float32', 2);
    const ints = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32');
    const ids = tf.tensor2d([[0, 10, 3], [3, 3, 7]], [2, 3], 'int32');
    const run = (): number[][] => tf.tidy(() => [
      tf.gather(table, ids), tf.gather(column, ids), tf.gather(table, tf.tensor1d([2, 0, 1], 'int32'), 2),
      tf.gather(ints, tf.tensor1d([2, 2, 0], 'int32')), tf.gather(table, tf.tensor1d([], 'int32')),
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, ids))))(table),
    ].map((t) => [...t.shape, ...Array.from(t.dataSync())]));
    unregisterRowGather();
    const stock = run();
    registerRowGather();
    const before = tf.memory().numTensors;
    const ours = run();
    expect(tf.memory().numTensors).toBe(before);
    ours.forEach((v, i) => expect(v, `case ${i}`).toEqual(stock[i]));
    tf.dispose([table, column, ints, ids]);
  });

  it('rejects an index out of range with a clear error', () => {
    const table = tf.zeros([4, 2]);
    const bad = tf.tensor1d([1, 4], 'int32');
    expect(() => tf.gather(table, bad)).toThrow(/index value 4 is not in \[0, 3\]/);
    tf.dispose([table, bad]);
  });
});
