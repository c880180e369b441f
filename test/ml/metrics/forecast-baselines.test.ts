import { describe, expect, it } from 'vitest';
import { lastValueForecast, linearTrendForecast } from '../../../lib/ml/metrics/forecast-baselines.ts';

describe('forecast baselines', () => {
  // two windows of 4 steps, horizon 2
  const x = [1, 2, 3, 4, 5, 3, 5, 3];

  it('last value repeats each window\'s final value over the horizon', () => {
    expect(Array.from(lastValueForecast(x, 4, 2))).toEqual([4, 4, 3, 3]);
  });

  it('linear trend extrapolates the least-squares line through the window', () => {
    // window 1 is the line 1 + t: t = 4, 5 → 5, 6.
    // window 2: mean 4, t̄ = 1.5, Σ(t − t̄)² = 5, Σ(t − t̄)(x − x̄) = −1.5·1 − 0.5·(−1) + 0.5·1 + 1.5·(−1) = −2,
    // slope −0.4: t = 4 → 4 − 0.4·2.5 = 3, t = 5 → 4 − 0.4·3.5 = 2.6.
    const f = linearTrendForecast(x, 4, 2);
    expect(Array.from(f)).toEqual([5, 6, 3, 2.6].map((v) => expect.closeTo(v, 12)));
  });

  it('a one-step window gives a flat line', () => {
    expect(Array.from(linearTrendForecast([7, -1], 1, 3))).toEqual([7, 7, 7, -1, -1, -1]);
  });

  it('rejects windows that do not divide the input', () => {
    expect(() => lastValueForecast([1, 2, 3], 2, 1)).toThrow(/not windows of 2 steps/);
    expect(() => linearTrendForecast([1, 2], 2, 0)).toThrow(/horizon/);
  });
});
