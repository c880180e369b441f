import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { readSineTrend } from '../../lib/ml/data/sine-trend.ts';
import { readSyntheticSequences } from '../../lib/ml/data/synthetic-sequences.ts';
import { DATA_PARAM_KEYS, DATA_SETS, isDataSetName, run } from '../../lib/ml/experiments/data.ts';
import { tempDir } from './helpers.ts';

describe('data run()', () => {
  it('writes a readable bundle whose options come from params and whose seed is the global one', async () => {
    const dir = await tempDir('data');
    const r = await run({ name: 'synthetic', seed: 11, options: { n: 30, steps: 16, seed: 999 } }, { outDir: path.join(dir, 'a') });
    expect(r).toEqual({ name: 'synthetic', n: 30, split: { train: 18, val: 6, test: 6 } });
    const data = await readSyntheticSequences(path.join(dir, 'a'));
    expect(data.options.seed).toBe(11);
    expect(data.steps).toBe(16);
    await run({ name: 'sine-trend', seed: 11, options: { length: 200, inputSteps: 12, targetSteps: 4 } }, { outDir: path.join(dir, 'b') });
    expect((await readSineTrend(path.join(dir, 'b'))).options.length).toBe(200);
  });

  it('gives byte-identical files for the same params (so the cache sees no change)', async () => {
    const dir = await tempDir('data2');
    for (const d of ['x', 'y']) await run({ name: 'dates', seed: 2, options: { n: 40 } }, { outDir: path.join(dir, d) });
    const read = (d: string) => readFile(path.join(dir, d, 'data.bin'));
    expect((await read('x')).equals(await read('y'))).toBe(true);
  });

  it('knows every data set by name and param key', () => {
    expect(DATA_SETS.every((n) => isDataSetName(n) && DATA_PARAM_KEYS[n] !== undefined)).toBe(true);
    expect(isDataSetName('mnist')).toBe(false);
  });
});
