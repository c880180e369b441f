import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSineTrend, readSineTrend, writeSineTrend } from '../../../lib/ml/data/sine-trend.ts';
import {
  accuracyCeiling,
  generateSyntheticSequences,
  readSyntheticSequences,
  writeSyntheticSequences,
} from '../../../lib/ml/data/synthetic-sequences.ts';
import { bundleBytes, expectPartition, sameArray, tempDir } from './helpers.ts';

describe('synthetic sequences', () => {
  const data = generateSyntheticSequences();

  it('has the default shape and balanced classes', () => {
    expect([data.n, data.steps, data.features, data.numClasses]).toEqual([1000, 50, 1, 3]);
    expect(data.x.length).toBe(1000 * 50);
    expect([0, 1, 2].map((c) => data.y.filter((v) => v === c).length)).toEqual([334, 333, 333]);
    expect(data.x.every(Number.isFinite)).toBe(true);
  });

  it('splits are a stratified partition fixed by the seed', () => {
    expectPartition(data.split, 1000);
    for (const part of [data.split.train, data.split.val, data.split.test]) {
      const counts = [0, 1, 2].map((c) => Array.from(part).filter((i) => data.y[i] === c).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    expect(generateSyntheticSequences({ seed: 43 }).split.test).not.toEqual(data.split.test);
  });

  it('class 0 rises, the others do not; about `ambiguous` of the samples carry no pattern', () => {
    const clean = generateSyntheticSequences({ noise: 0, n: 600 });
    const ramp = Array.from({ length: 50 }, (_, t) => t - 24.5);
    const corr = (i: number): number => {
      const row = clean.x.subarray(i * 50, i * 50 + 50);
      const mean = row.reduce((a, b) => a + b, 0) / 50;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      row.forEach((v, t) => {
        sxy += (v - mean) * ramp[t]!;
        sxx += ramp[t]! ** 2;
        syy += (v - mean) ** 2;
      });
      return syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    };
    const meanCorr = (c: number): number => {
      const idx = Array.from(clean.y.keys()).filter((i) => clean.y[i] === c);
      return idx.reduce((a, i) => a + corr(i), 0) / idx.length;
    };
    expect(meanCorr(0)).toBeGreaterThan(0.7);
    expect(Math.abs(meanCorr(1))).toBeLessThan(0.2);
    expect(Math.abs(meanCorr(2))).toBeLessThan(0.2);
    let flat = 0;
    for (let i = 0; i < clean.n; i++) {
      const row = clean.x.subarray(i * 50, i * 50 + 50);
      if (row.every((v) => v === row[0])) flat++;
    }
    expect(flat / clean.n).toBeGreaterThan(0.1);
    expect(flat / clean.n).toBeLessThan(0.2);
  });

  it('`patterned` marks exactly the samples that carry a pattern (noise 0: the patternless rows are flat)', () => {
    const clean = generateSyntheticSequences({ noise: 0, n: 600 });
    for (let i = 0; i < clean.n; i++) {
      const row = clean.x.subarray(i * 50, i * 50 + 50);
      expect(clean.patterned[i], `row ${i}`).toBe(row.every((v) => v === row[0]) ? 0 : 1);
    }
    // the flags come from the same draws as the data: noise does not move them
    expect(sameArray(generateSyntheticSequences({ n: 600 }).patterned, clean.patterned)).toBe(true);
  });

  it('the accuracy ceiling counts a patternless sample as a 1-in-3 guess', () => {
    const d = { numClasses: 3, patterned: Uint8Array.from([1, 0, 1, 1, 0, 1]) };
    // rows 0–5: two patternless of six → 1 − 2·(2/3)/6 = 7/9
    expect(accuracyCeiling(d, [0, 1, 2, 3, 4, 5])).toBeCloseTo(7 / 9, 12);
    expect(accuracyCeiling(d, [0, 2, 3])).toBe(1);
    expect(accuracyCeiling(d, [1])).toBeCloseTo(1 / 3, 12);
    expect(accuracyCeiling(d, [])).toBe(0);
  });

  it('supports several features', () => {
    const d = generateSyntheticSequences({ n: 30, features: 3 });
    expect(d.x.length).toBe(30 * 50 * 3);
    expect(() => generateSyntheticSequences({ features: 5 })).toThrow(/features/);
  });

  it('same seed → identical bytes, other seed → different; read back equals written', async () => {
    const dir = await tempDir();
    await writeSyntheticSequences(join(dir, 'a'), data);
    await writeSyntheticSequences(join(dir, 'b'), generateSyntheticSequences());
    await writeSyntheticSequences(join(dir, 'c'), generateSyntheticSequences({ seed: 7 }));
    const a = await bundleBytes(join(dir, 'a'));
    expect(a.equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    expect(a.equals(await bundleBytes(join(dir, 'c')))).toBe(false);
    const back = await readSyntheticSequences(join(dir, 'a'));
    expect(sameArray(back.x, data.x)).toBe(true);
    expect(sameArray(back.y, data.y)).toBe(true);
    expect(sameArray(back.patterned, data.patterned)).toBe(true);
    expect(back.split).toEqual(data.split);
    expect([back.n, back.steps, back.features, back.numClasses]).toEqual([1000, 50, 1, 3]);
    expect(back.options).toEqual(data.options);
  });
});

describe('sine + trend windows', () => {
  const data = generateSineTrend();

  it('cuts 50-step inputs and the next 10 steps as targets', () => {
    expect([data.inputSteps, data.targetSteps]).toEqual([50, 10]);
    expect(data.x.length).toBe(data.n * 50);
    expect(data.y.length).toBe(data.n * 10);
    for (const i of [0, 17, data.n - 1]) {
      const s = data.starts[i]!;
      expect(data.x[i * 50]).toBe(data.series[s]);
      expect(data.y[i * 10]).toBe(data.series[s + 50]);
      expect(data.y[i * 10 + 9]).toBe(data.series[s + 59]);
    }
  });

  it('chronological splits do not overlap in time and training data is normalised', () => {
    expectPartition(data.split, data.n);
    const lastTrainEnd = data.starts[data.split.train.at(-1)!]! + 60;
    expect(data.starts[data.split.val[0]!]!).toBeGreaterThanOrEqual(lastTrainEnd);
    const lastValEnd = data.starts[data.split.val.at(-1)!]! + 60;
    expect(data.starts[data.split.test[0]!]!).toBeGreaterThanOrEqual(lastValEnd);
    const trainSpan = data.series.subarray(0, lastTrainEnd);
    const mean = trainSpan.reduce((a, b) => a + b, 0) / trainSpan.length;
    const sd = Math.sqrt(trainSpan.reduce((a, b) => a + (b - mean) ** 2, 0) / trainSpan.length);
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(sd).toBeCloseTo(1, 3);
  });

  it('shuffle mode splits windows at random, fixed by the seed', () => {
    const a = generateSineTrend({ splitMode: 'shuffle', length: 300 });
    expectPartition(a.split, a.n);
    expect(generateSineTrend({ splitMode: 'shuffle', length: 300 }).split).toEqual(a.split);
    expect(() => generateSineTrend({ length: 100 })).toThrow(/too short/);
  });

  it('determinism and round trip', async () => {
    const dir = await tempDir();
    await writeSineTrend(join(dir, 'a'), data);
    await writeSineTrend(join(dir, 'b'), generateSineTrend());
    await writeSineTrend(join(dir, 'c'), generateSineTrend({ seed: 1 }));
    const a = await bundleBytes(join(dir, 'a'));
    expect(a.equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    expect(a.equals(await bundleBytes(join(dir, 'c')))).toBe(false);
    const back = await readSineTrend(join(dir, 'a'));
    expect(sameArray(back.x, data.x)).toBe(true);
    expect(sameArray(back.y, data.y)).toBe(true);
    expect(back.norm).toEqual(data.norm);
    expect(back.split).toEqual(data.split);
    expect(sameArray(back.series, data.series)).toBe(true);
  });
});
