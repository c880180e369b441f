import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EX1_PARAMS, EX1_STAGE_PARAMS, validateEx1Params } from '../../lib/ml/experiments/ex1.ts';
import { EX2_STAGE_PARAMS } from '../../lib/ml/experiments/ex2.ts';
import { EX3_STAGE_PARAMS } from '../../lib/ml/experiments/ex3.ts';
import { G2P_STAGE_PARAMS } from '../../lib/ml/experiments/g2p.ts';
import { checkDataOptions } from '../../lib/ml/experiments/data.ts';
import { SPAM_STAGE_PARAMS } from '../../lib/ml/experiments/spam.ts';
import { SWEEP_STAGE_PARAMS } from '../../lib/ml/experiments/sweep.ts';
import { THEORY_STAGE_PARAMS } from '../../lib/ml/experiments/theory.ts';
import { TRANSLATE_STAGE_PARAMS } from '../../lib/ml/experiments/translate.ts';
import { type Field, checkParams, count, listOf, obj, oneOf, optional } from '../../lib/ml/params.ts';
import { lrSchedule } from '../../lib/ml/experiments/train-params.ts';
import { tempDir } from './helpers.ts';

const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(REPO, 'node_modules/.bin/tsx');
const DOC = parse(readFileSync(path.join(REPO, 'pipeline.yaml'), 'utf8')) as {
  params: Record<string, unknown>;
  profiles: Record<string, Record<string, unknown>>;
  stages: Record<string, { params?: string[] }>;
};
/** The params section of the real pipeline.yaml: the defaults every stage gets. */
const PIPELINE = DOC.params;

/** A deep copy of the params with a profile's dotted overrides applied (as the engine does). */
function withProfile(name: string): Record<string, unknown> {
  const out = structuredClone(PIPELINE);
  for (const [key, value] of Object.entries(DOC.profiles[name] ?? {})) {
    const parts = key.split('.');
    let at = out as Record<string, unknown>;
    for (const p of parts.slice(0, -1)) at = at[p] as Record<string, unknown>;
    const last = parts[parts.length - 1]!;
    at[last] = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(at[last] as object), ...value } : value;
  }
  return out;
}

/** The nested params a stage declares (`[seed, translate.model]` → `{seed, translate: {model}}`). */
function stageParams(stage: string, all: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of DOC.stages[stage]?.params ?? []) {
    const parts = key.split('.');
    let src: unknown = all;
    let dst = out;
    parts.forEach((p, i) => {
      src = (src as Record<string, unknown>)[p];
      if (i === parts.length - 1) dst[p] = src;
      else dst = (dst[p] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

const STAGES: [string, Field<unknown>][] = [
  ['train-ex1', EX1_STAGE_PARAMS], ['sweep', SWEEP_STAGE_PARAMS], ['train-ex2', EX2_STAGE_PARAMS], ['train-ex3', EX3_STAGE_PARAMS],
  ['ablate', EX3_STAGE_PARAMS], ['translate', TRANSLATE_STAGE_PARAMS], ['translate-encoder', TRANSLATE_STAGE_PARAMS],
  ['g2p', G2P_STAGE_PARAMS], ['spam', SPAM_STAGE_PARAMS], ['theory', THEORY_STAGE_PARAMS],
];

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

  it.each(STAGES)("%s: the params pipeline.yaml declares for it pass its spec, by default and with --profile smoke", (stage, spec) => {
    for (const all of [PIPELINE, withProfile('smoke')]) {
      expect(checkParams(spec, stageParams(stage, all))).toMatchObject({ ok: true });
    }
  });

  it("pipeline.yaml's ex1 section passes its spec, with the base and the smoke profile's values", () => {
    expect(validateEx1Params({ seed: PIPELINE.seed, ex1: PIPELINE.ex1 })).toMatchObject({ ok: true });
    expect(Object.keys(EX1_PARAMS.shape)).toEqual(expect.arrayContaining(Object.keys(PIPELINE.ex1 as object)));
  });
});

/** Run a stage script as the runner would, with `params`; its exit code, stderr and what it wrote. */
async function runStage(script: string, params: unknown, item: unknown = {}, args: string[] = []): Promise<{ code: number; stderr: string; wrote: string[] }> {
  const root = await tempDir('stage-params');
  const env = {
    ...process.env, PIPELINE_PARAMS: JSON.stringify(params), PIPELINE_ITEM: JSON.stringify(item),
    PIPELINE_STAGE: path.basename(script, '.ts'), PIPELINE_ROOT: root,
  };
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(TSX, [path.join(REPO, 'stages', script), ...args], { env, timeout: 60_000 }, (err, _stdout, stderr) =>
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

  it('data-g2p: a test share under 10 % of the words', async () => {
    const g2p = { ...((PIPELINE.data as Record<string, object>).g2p), testFraction: 0.05 };
    const r = await runStage('data.ts', { seed: 42, data: { g2p } }, {}, ['g2p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('data-g2p: invalid params (pipeline.yaml); nothing was written');
    expect(r.stderr).toContain('data.g2p.testFraction: expected a number ≥ 0.1 ≤ 0.5, got 0.05');
    expect(r.wrote).toEqual([]);
  }, 90_000);

  it("pipeline.yaml's data.g2p passes its spec in the default, smoke and full profiles", () => {
    for (const all of [PIPELINE, withProfile('smoke'), withProfile('full')]) {
      expect(checkDataOptions('g2p', (all.data as Record<string, Record<string, unknown>>).g2p!)).toMatchObject({ ok: true });
    }
  });

  it('sweep: a bad schedule', async () => {
    const ex1 = { ...(PIPELINE.ex1 as object), schedule: { kind: 'cosine', warmupSteps: 0 } };
    const r = await runStage('sweep.ts', { seed: 42, ex1, sweep: { epochs: 1 } }, { lr: 0.01, units: 4 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ex1.schedule.minFactor: missing');
    expect(r.wrote).toEqual([]);
  }, 90_000);
});

describe('every training stage validates its params before training', () => {
  const cases: [string, string, Record<string, unknown>, unknown, string][] = [
    ['train-ex2.ts', 'train-ex2', { lr: -1 }, {}, 'ex2.lr: expected a number > 0, got -1'],
    ['train-ex3.ts', 'train-ex3', { clipNorm: 'five' }, {}, 'ex3.clipNorm: expected a number ≥ 0, got "five"'],
    ['spam.ts', 'spam', {}, { cell: 'lstm', mask: 'masked' }, 'spam.eval: missing'],
    ['translate.ts', 'translate', {}, {}, 'translate.model.coverageWeight: missing'],
    ['g2p.ts', 'g2p', { attention: 'cosine' }, {}, 'g2p.attention: expected one of'],
  ];
  it.each(cases)('%s', async (script, stage, patch, item, message) => {
    const params = stageParams(stage, PIPELINE) as Record<string, Record<string, unknown>>;
    const section = Object.keys(params).find((k) => k !== 'seed')!;
    if (stage === 'spam') delete (params.spam as Record<string, unknown>).eval;
    else if (stage === 'translate') delete (params.translate!.model as Record<string, unknown>).coverageWeight;
    else params[section] = { ...params[section], ...patch };
    const args = stage === 'train-ex3' ? ['--variant', 'baseline'] : stage === 'translate' ? ['--attention', 'dot'] : [];
    const r = await runStage(script, params, item, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.wrote).toEqual([]);
  }, 90_000);
});
