import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EX1_PARAMS, validateEx1Params } from '../../lib/ml/experiments/ex1.ts';
import { checkParams, count, listOf, obj, oneOf, optional } from '../../lib/ml/experiments/params.ts';
import { lrSchedule } from '../../lib/ml/experiments/train-params.ts';
import { tempDir } from './helpers.ts';

const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(REPO, 'node_modules/.bin/tsx');
/** The params section of the real pipeline.yaml: the defaults every stage gets. */
const PIPELINE = (parse(readFileSync(path.join(REPO, 'pipeline.yaml'), 'utf8')) as { params: Record<string, unknown> }).params;

describe('param specs', () => {
  it('accept a valid object and report every problem by its dotted path', () => {
    const spec = obj({ a: count(), b: obj({ c: oneOf(['x', 'y']), d: optional(listOf(count(0))) }) });
    expect(checkParams(spec, { a: 2, b: { c: 'x' } })).toEqual({ ok: true, value: { a: 2, b: { c: 'x' } } });
    const bad = checkParams(spec, { a: '2', b: { c: 'z', d: [1, -1], e: 3 } });
    expect(bad).toEqual({
      ok: false,
      errors: [
        'a: expected an integer ≥ 1, got "2"',
        'b.c: expected one of x, y, got "z"',
        'b.d[1]: expected an integer ≥ 0, got -1',
        'b.e: unknown param (known: c, d)',
      ],
    });
    expect(checkParams(spec, { b: { c: 'y' } })).toEqual({ ok: false, errors: ['a: missing'] });
  });

  it('check a learning-rate schedule by its kind', () => {
    const spec = obj({ s: lrSchedule() });
    expect(checkParams(spec, { s: { kind: 'cosine', warmupSteps: 10, minFactor: 0.1 } }).ok).toBe(true);
    expect(checkParams(spec, { s: { kind: 'cosine', warmupSteps: 10 } })).toEqual({ ok: false, errors: ['s.minFactor: missing'] });
    expect(checkParams(spec, { s: { kind: 'linear' } })).toEqual({
      ok: false, errors: ['s.kind: expected one of constant, cosine, step, got "linear"'],
    });
  });

  it("pipeline.yaml's ex1 section passes its spec, with the base and the smoke profile's values", () => {
    expect(validateEx1Params({ seed: PIPELINE.seed, ex1: PIPELINE.ex1 })).toMatchObject({ ok: true });
    expect(Object.keys(EX1_PARAMS.shape)).toEqual(expect.arrayContaining(Object.keys(PIPELINE.ex1 as object)));
  });
});

/** Run a stage script as the runner would, with `params`; its exit code, stderr and what it wrote. */
async function runStage(script: string, params: unknown, item: unknown = {}): Promise<{ code: number; stderr: string; wrote: string[] }> {
  const root = await tempDir('stage-params');
  const env = {
    ...process.env, PIPELINE_PARAMS: JSON.stringify(params), PIPELINE_ITEM: JSON.stringify(item),
    PIPELINE_STAGE: path.basename(script, '.ts'), PIPELINE_ROOT: root,
  };
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(TSX, [path.join(REPO, 'stages', script)], { env, timeout: 60_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stderr }));
  });
  return { ...result, wrote: await readdir(root) };
}

describe('a stage given bad params stops before training, naming them', () => {
  it('train-ex1: a mistyped and a missing param', async () => {
    const { lr: _lr, ...ex1 } = PIPELINE.ex1 as Record<string, unknown>;
    const r = await runStage('train-ex1.ts', { seed: 42, ex1: { ...ex1, units: '64' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('train-ex1: invalid params (pipeline.yaml); nothing was trained');
    expect(r.stderr).toContain('ex1.units: expected an integer ≥ 1, got "64"');
    expect(r.stderr).toContain('ex1.lr: missing');
    expect(r.wrote).toEqual([]);
  }, 90_000);

  it('sweep: a bad schedule', async () => {
    const ex1 = { ...(PIPELINE.ex1 as object), schedule: { kind: 'cosine', warmupSteps: 0 } };
    const r = await runStage('sweep.ts', { seed: 42, ex1, sweep: { epochs: 1 } }, { lr: 0.01, units: 4 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ex1.schedule.minFactor: missing');
    expect(r.wrote).toEqual([]);
  }, 90_000);
});
