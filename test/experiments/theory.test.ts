import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../lib/ml/experiments/theory.ts';
import { readJson, tempDir } from './helpers.ts';

describe('theory run()', () => {
  it('shows the unscaled softmax saturating as d_k grows while the scaled one does not', async () => {
    const dir = await tempDir('theory');
    const r = await run({ seed: 1, dims: [4, 512], queries: 16, keys: 16, trials: 2, valueDim: 16 }, { outDir: dir });
    const [s4, s512] = r.scaled;
    const [u4, u512] = r.unscaled;
    // Scaling keeps score spread near 1; without it, it grows like √d_k.
    expect(s512!.score_std).toBeGreaterThan(0.7);
    expect(s512!.score_std).toBeLessThan(1.3);
    expect(u512!.score_std / s512!.score_std).toBeCloseTo(Math.sqrt(512), -1);
    // Unscaled at large d_k: near one-hot (low entropy, max weight ≈ 1), vanishing softmax gradient.
    expect(u512!.entropy).toBeLessThan(0.2 * s512!.entropy);
    expect(u512!.max_weight).toBeGreaterThan(0.9);
    expect(u512!.softmax_jacobian_norm).toBeLessThan(s512!.softmax_jacobian_norm);
    // At d_k = 4 the difference is small: √4 = 2.
    expect(u4!.entropy).toBeGreaterThan(0.3 * s4!.entropy);
    expect(s4!.entropy).toBeLessThanOrEqual(r.max_entropy);
    expect(await readJson(path.join(dir, 'scaling.json'))).toMatchObject({ dims: [4, 512], keys: 16 });
  });

  it('is a pure function of the seed, and a d_k does not depend on the others in the list', async () => {
    const dir = await tempDir('theory2');
    const a = await run({ seed: 9, dims: [8, 32], queries: 4, keys: 6, trials: 1, valueDim: 16 }, { outDir: dir });
    const b = await run({ seed: 9, dims: [32], queries: 4, keys: 6, trials: 1, valueDim: 16 }, { outDir: dir });
    const c = await run({ seed: 10, dims: [32], queries: 4, keys: 6, trials: 1, valueDim: 16 }, { outDir: dir });
    expect(b.scaled[0]).toEqual(a.scaled[1]);
    expect(c.scaled[0]).not.toEqual(b.scaled[0]);
  });
});
