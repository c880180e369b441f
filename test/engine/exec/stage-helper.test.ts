import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { item, params, progress, reportEpoch, root, stageName } from '../../../lib/engine/stage.ts';
import { cleanTemps, tempRoot } from './helpers.ts';

const VARS = ['PIPELINE_PARAMS', 'PIPELINE_ITEM', 'PIPELINE_STAGE', 'PIPELINE_ROOT', 'PIPELINE_PROGRESS'];
afterEach(async () => {
  for (const v of VARS) delete process.env[v];
  await cleanTemps();
});

describe('lib/engine/stage.ts', () => {
  it('outside the pipeline says how to run the stage, and progress does nothing', () => {
    for (const v of VARS) delete process.env[v];
    expect(() => params()).toThrow(/Run it through `pnpm pipeline run <stage>`/);
    expect(() => stageName()).toThrow(/PIPELINE_STAGE/);
    expect(() => progress('hello')).not.toThrow();
  });

  it('reads what the runner sets', () => {
    process.env.PIPELINE_PARAMS = '{"ex1":{"n":3}}';
    process.env.PIPELINE_ITEM = '{"variant":"full"}';
    process.env.PIPELINE_STAGE = 'ablate@full';
    process.env.PIPELINE_ROOT = '/somewhere';
    expect(params<{ ex1: { n: number } }>().ex1.n).toBe(3);
    expect(item()).toEqual({ variant: 'full' });
    expect(stageName()).toBe('ablate@full');
    expect(root()).toBe('/somewhere');
  });

  it('appends one JSON line per event, with a time', async () => {
    const file = join(await tempRoot(), 'p.jsonl');
    process.env.PIPELINE_PROGRESS = file;
    progress('loading');
    reportEpoch(2, 4, { loss: 0.41234, 'val-loss': 1234.5 });
    reportEpoch(4, 4, { loss: 0.1 });
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ message: 'loading' });
    expect(lines[1]).toMatchObject({ step: 2, total: 4, values: { loss: 0.41234, 'val-loss': 1234.5 } });
    expect(lines[1]!.message).toMatch(/^epoch 2\/4 loss 0\.412 val-loss 1235 · ETA \d+(s|m\d\ds)$/);
    expect(lines[2]!.message).toBe('epoch 4/4 loss 0.1'); // last epoch: no ETA
    expect(lines.every((l) => typeof l.t === 'number')).toBe(true);
  });
});
