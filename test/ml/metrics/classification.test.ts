import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  classificationReport,
  confusionMatrix,
} from '../../../lib/ml/metrics/classification.ts';
import { mae, mse, rmse } from '../../../lib/ml/metrics/regression.ts';

describe('classification metrics', () => {
  // 3 classes; class 2 is never predicted, so its precision is a 0/0
  const actual = [0, 0, 1, 1, 1, 2, 2, 0];
  const predicted = [0, 1, 1, 1, 0, 1, 0, 0];

  it('accuracy', () => {
    expect(accuracy(actual, predicted)).toBe(4 / 8);
    expect(accuracy([], [])).toBe(0);
    expect(accuracy(new Int32Array([1, 2]), new Int32Array([1, 2]))).toBe(1);
  });

  it('confusion matrix has true classes as rows', () => {
    expect(confusionMatrix(actual, predicted)).toEqual([
      [2, 1, 0],
      [1, 2, 0],
      [1, 1, 0],
    ]);
    expect(confusionMatrix([0], [0], 3)).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/outside 0..2/);
  });

  it('per-class precision/recall/F1 with zero divisions as 0, and the averages', () => {
    const r = classificationReport(actual, predicted);
    // class 0: tp 2, predicted 4, support 3; class 1: tp 2, predicted 4, support 3; class 2: nothing
    expect(r.perClass[0]!.precision).toBeCloseTo(2 / 4, 12);
    expect(r.perClass[0]!.recall).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[0]!.f1).toBeCloseTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 12);
    expect(r.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.macro.precision).toBeCloseTo((0.5 + 0.5 + 0) / 3, 12);
    expect(r.macro.recall).toBeCloseTo((2 / 3 + 2 / 3) / 3, 12);
    expect(r.macro.f1).toBeCloseTo((2 * (4 / 7)) / 3, 12);
    // single-label: micro P = R = F1 = accuracy
    expect(r.micro.precision).toBeCloseTo(0.5, 12);
    expect(r.micro.recall).toBeCloseTo(0.5, 12);
    expect(r.micro.f1).toBeCloseTo(0.5, 12);
    expect(r.weighted.recall).toBeCloseTo((3 * (2 / 3) + 3 * (2 / 3)) / 8, 12);
    expect(r.accuracy).toBe(0.5);
  });

  it('a class absent from both sides scores 0, not NaN', () => {
    const r = classificationReport([0, 0], [0, 0], 2);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.macro.f1).toBe(0.5);
    expect(r.weighted.f1).toBe(1);
  });

  it('argmaxRows picks the first maximum', () => {
    expect(Array.from(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1], 3))).toEqual([1, 0, 2]);
    expect(() => argmaxRows([1, 2], 3)).toThrow();
  });
});

describe('regression metrics', () => {
  it('mse, rmse and mae on a hand-computed case', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const p = [1.5, 2, 2, 6];
    expect(mse(a, p)).toBeCloseTo((0.25 + 0 + 1 + 4) / 4, 12);
    expect(rmse(a, p)).toBeCloseTo(Math.sqrt(5.25 / 4), 12);
    expect(mae(a, p)).toBeCloseTo((0.5 + 0 + 1 + 2) / 4, 12);
    expect(mse([], [])).toBe(0);
    expect(() => mae([1], [1, 2])).toThrow(/lengths differ/);
  });
});
