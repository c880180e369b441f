import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SinusoidalPositionEncoding, sinusoidTable } from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import { expectClose, expectNoLeak, expectRoundTrip, randn } from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('SinusoidalPositionEncoding', () => {
  it('the table matches sin/cos written out by hand (d = 4, base 10000)', () => {
    // pos 1: sin(1), cos(1), sin(1/100), cos(1/100); pos 2: sin(2), cos(2), sin(0.02), cos(0.02)
    const t = sinusoidTable(3, 4);
    expectClose(t, [
      [0, 1, 0, 1],
      [0.8414710, 0.5403023, 0.0099998, 0.9999500],
      [0.9092974, -0.4161468, 0.0199987, 0.9998000],
    ], 1e-6);
    t.dispose();
  });

  it('adds the table to every example and keeps the shape', () => {
    const x = tf.tensor3d([[[1, 1, 1, 1], [2, 2, 2, 2]], [[0, 0, 0, 0], [-1, 0, 1, 0]]]);
    const layer = new SinusoidalPositionEncoding();
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 2, 4]);
    expect(layer.computeOutputShape([null, 2, 4])).toEqual([null, 2, 4]);
    expectClose(y, [
      [[1, 2, 1, 2], [2.8414710, 2.5403023, 2.0099998, 2.9999500]],
      [[0, 1, 0, 1], [-0.1585290, 0.5403023, 1.0099998, 0.9999500]],
    ], 1e-6);
    tf.dispose([x, y]);
  });

  it('padded steps (mask 0) stay zero', () => {
    const x = randn([2, 3, 4], 1);
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    const y = new SinusoidalPositionEncoding().apply([x, mask]) as tf.Tensor;
    const rows = y.arraySync() as number[][][];
    expect(rows[0]![2]!.map(Math.abs)).toEqual([0, 0, 0, 0]);
    expect(rows[1]![2]!.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, mask, y]);
  });

  it('serialises and leaks no tensors', () => {
    const x = randn([2, 5, 6], 2);
    const layer = new SinusoidalPositionEncoding({ base: 500 });
    const copy = expectRoundTrip(layer, x) as SinusoidalPositionEncoding;
    expect(copy.base).toBe(500);
    expectNoLeak(layer, x);
    x.dispose();
  });
});
