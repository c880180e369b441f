import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { shiftCorrelation, shiftMix } from '../../../lib/ml/layers/shift-mix.ts';
import { useBackend } from '../helpers.ts';

beforeAll(async () => {
  await useBackend();
});

/** One-hot weighting of displacement d among −r…r, for k kernels of b frames. */
const oneHot = (rows: number, r: number, d: number): tf.Tensor2D =>
  tf.tensor2d(Array.from({ length: rows }, () => Array.from({ length: 2 * r + 1 }, (_, j) => (j === d + r ? 1 : 0))));

describe('shiftMix', () => {
  it('moves a pixel by the one-hot displacement (dy, dx) and drops what leaves the frame', () => {
    const size = 6;
    const frame = new Float32Array(size * size);
    frame[2 * size + 4] = 1; // (y 2, x 4)
    const out = shiftMix(tf.tensor2d(frame, [1, size * size]), oneHot(1, 2, 1), oneHot(1, 2, -2), size, 2).dataSync();
    expect(Array.from(out).findIndex((v) => v === 1)).toBe(3 * size + 2);
    expect(Array.from(out).reduce((a, b) => a + b, 0)).toBe(1);
    const gone = shiftMix(tf.tensor2d(frame, [1, size * size]), oneHot(1, 2, 0), oneHot(1, 2, 2), size, 2).dataSync();
    expect(Array.from(gone).every((v) => v === 0)).toBe(true); // x 4 + 2 = 6 is outside
  });

  it('mixes displacements linearly and gives each of k kernels its own output', () => {
    const size = 5;
    const frame = new Float32Array(size * size);
    frame[2 * size + 2] = 1;
    // Kernel 0: half at dx −1, half at dx +1; kernel 1: dy +1.
    const vertical = tf.tensor2d([[0, 1, 0], [0, 0, 1]]);
    const horizontal = tf.tensor2d([[0.5, 0, 0.5], [0, 1, 0]]);
    const out = shiftMix(tf.tensor2d(frame, [1, size * size]), vertical, horizontal, size, 1);
    expect(out.shape).toEqual([1, 2, size * size]);
    const v = out.arraySync()[0]!;
    expect(v[0]![2 * size + 1]).toBeCloseTo(0.5, 6);
    expect(v[0]![2 * size + 3]).toBeCloseTo(0.5, 6);
    expect(v[1]![3 * size + 2]).toBeCloseTo(1, 6);
    expect(() => shiftMix(tf.tensor2d(frame, [1, size * size]), vertical, horizontal, size, 2)).toThrow(/kernels must be/);
  });
});

describe('shiftCorrelation', () => {
  it('peaks at the displacement that moved the earlier frame onto the later one', () => {
    const size = 8;
    const earlier = new Float32Array(size * size);
    const later = new Float32Array(size * size);
    for (const [y, x] of [[2, 2], [2, 3], [3, 2]] as const) {
      earlier[y * size + x] = 1;
      later[(y + 1) * size + (x - 2)] = 1; // moved by dy +1, dx −2
    }
    const score = Array.from(shiftCorrelation(tf.tensor2d(earlier, [1, size * size]), tf.tensor2d(later, [1, size * size]), size, 2).dataSync());
    expect(score).toHaveLength(25);
    expect(score.indexOf(Math.max(...score))).toBe((1 + 2) * 5 + (-2 + 2));
    expect(Math.max(...score)).toBeCloseTo(1, 5); // all of the later frame explained
  });
});
