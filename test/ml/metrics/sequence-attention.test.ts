import { describe, expect, it } from 'vitest';
import {
  attendedPositions,
  attentionEntropy,
  attentionMassSpan,
  attentionPeakPosition,
  attentionSpan,
  attentionStats,
  meanAttendedPosition,
} from '../../../lib/ml/metrics/attention.ts';
import { editDistance, errorRate, exactMatch, phonemeErrorRate } from '../../../lib/ml/metrics/sequence.ts';

describe('edit distance', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['', '', 0],
    ['flaw', 'lawn', 2],
    ['abc', 'abc', 0],
    ['ab', 'ba', 2],
    ['intention', 'execution', 5],
  ])('%s → %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('works over token arrays and ids', () => {
    expect(editDistance(['HH', 'AH0', 'L', 'OW1'], ['HH', 'EH0', 'L', 'OW1', 'Z'])).toBe(2);
    expect(editDistance(new Int32Array([1, 2, 3]), [1, 3])).toBe(1);
  });

  it('error rate is total edits over total reference length', () => {
    // edits 1 + 2 = 3 over reference lengths 4 + 2 = 6
    expect(errorRate(['abcd', 'xy'], ['abce', ''])).toBe(3 / 6);
    expect(phonemeErrorRate([['K', 'AE1', 'T']], [['K', 'AE1', 'T']])).toBe(0);
    expect(errorRate([''], ['ab'])).toBe(2);
  });

  it('exact match', () => {
    expect(exactMatch(['2017-05-03', '1999-12-31'], ['2017-05-03', '1999-12-30'])).toBe(0.5);
    expect(exactMatch([[1, 2]], [new Int32Array([1, 2])])).toBe(1);
    expect(exactMatch([[1, 2]], [[1, 2, 3]])).toBe(0);
    expect(exactMatch([], [])).toBe(0);
  });
});

describe('attention statistics', () => {
  // rows = output steps, columns = source steps
  const att = [
    [1, 0, 0, 0],
    [0.5, 0.5, 0, 0],
    [0.25, 0.25, 0.25, 0.25],
    [0.04, 0.06, 0.1, 0.8],
  ];

  it('span counts weights strictly above 0.05, averaged over rows', () => {
    expect(attentionSpan(att)).toBe((1 + 2 + 4 + 3) / 4);
    expect(attentionSpan(att, 0.3)).toBe((1 + 2 + 0 + 1) / 4);
  });

  it('mass span counts the largest weights until they hold the share, averaged over rows', () => {
    // rows: 1 (1.0) · 2 (0.5 + 0.5) · 4 (0.25 × 4) · 2 (0.8 + 0.1)
    expect(attentionMassSpan(att)).toBe((1 + 2 + 4 + 2) / 4);
    // half the mass: 1 · 1 · 2 · 1
    expect(attentionMassSpan(att, 0.5)).toBe((1 + 1 + 2 + 1) / 4);
    // a uniform row over 50 steps: 45 steps hold 0.9, where the 0.05 threshold counts none
    const uniform = [Array.from({ length: 50 }, () => 0.02)];
    expect(attentionMassSpan(uniform)).toBe(45);
    expect(attentionSpan(uniform)).toBe(0);
    expect(attentionMassSpan([[0, 0, 0]])).toBe(0);
    expect(() => attentionMassSpan(att, 0)).toThrow(RangeError);
  });

  it('peak position is the index of the largest weight, the first on ties, averaged over rows', () => {
    expect(attentionPeakPosition(att)).toBe((0 + 0 + 0 + 3) / 4);
    expect(attentionPeakPosition([[0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])).toBe((2 + 1) / 2);
  });

  it('mean attended position is the weighted mean index', () => {
    const rows = [0, 0.5, 1.5, 0.06 + 0.2 + 2.4];
    expect(attendedPositions(att)).toEqual(rows.map((r) => expect.closeTo(r, 12)));
    expect(meanAttendedPosition(att)).toBeCloseTo(rows.reduce((a, b) => a + b) / 4, 12);
  });

  it('entropy is 0 for one-hot rows and log(n) for uniform ones', () => {
    expect(attentionEntropy([att[0]!])).toBe(0);
    expect(attentionEntropy([att[1]!])).toBeCloseTo(Math.log(2), 12);
    expect(attentionEntropy([att[2]!])).toBeCloseTo(Math.log(4), 12);
    const last = -(0.04 * Math.log(0.04) + 0.06 * Math.log(0.06) + 0.1 * Math.log(0.1) + 0.8 * Math.log(0.8));
    expect(attentionEntropy(att)).toBeCloseTo((0 + Math.log(2) + Math.log(4) + last) / 4, 12);
  });

  it('accepts a flat row-major matrix', () => {
    const flat = { data: new Float32Array(att.flat()), cols: 4 };
    const a = attentionStats(att);
    const b = attentionStats(flat);
    expect(b.span).toBe(a.span);
    expect(b.massSpan).toBe(a.massSpan);
    expect(b.peakPosition).toBe(a.peakPosition);
    expect(b.meanPosition).toBeCloseTo(a.meanPosition, 6);
    expect(b.entropy).toBeCloseTo(a.entropy, 6);
    expect(() => attentionSpan({ data: [1, 2, 3], cols: 2 })).toThrow();
  });
});
