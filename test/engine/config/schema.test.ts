/** schema/pipeline.schema.json: a valid draft-07 schema for editors, and the shape errors it yields. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, errorsOf, load, project } from './helpers.ts';

afterAll(cleanup);

const SCHEMA = path.resolve(import.meta.dirname, '../../../schema/pipeline.schema.json');
const text = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('pipeline.schema.json', () => {
  it('is a valid draft-07 schema, and every stage key is described for editors', async () => {
    const schema = JSON.parse(await readFile(SCHEMA, 'utf8')) as {
      $schema: string;
      definitions: { stage: { properties: Record<string, { description?: string }> } };
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(schema)).toBe(true);
    const undescribed = Object.entries(schema.definitions.stage.properties).filter(([, v]) => !v.description);
    expect(undescribed.map(([k]) => k)).toEqual([]);
  });

  it("accepts DESIGN.md's sketch (with the interpolated out in a block list)", async () => {
    const root = await project({
      'pipeline.yaml': text(
        'params:',
        '  seed: 42',
        '  ex1: { n: 1000, steps: 50, epochs: 20, units: 64 }',
        'profiles:',
        '  smoke: { ex1.n: 64, ex1.epochs: 1 }',
        'stages:',
        '  data-ex1:',
        '    cmd: tsx stages/data.ts ex1',
        '    params: [seed, ex1.n, ex1.steps]',
        '    outs: [data/ex1]',
        '  train-ex1:',
        '    cmd: tsx stages/train-ex1.ts',
        '    deps: [data/ex1]',
        '    params: [ex1]',
        '    outs: [models/ex1]',
        '    metrics: [reports/ex1/metrics.json]',
        '  ablate:',
        '    matrix: { variant: [full, no-memory, no-transformer, no-hierarchy] }',
        '    cmd: tsx stages/train-ex3.ts --variant ${item.variant}',
        '    outs:',
        '      - models/ex3-${item.variant}',
      ),
    });
    const p = await load(root, { profile: 'smoke' });
    expect(p.order).toEqual(['data-ex1', 'train-ex1', 'ablate@full', 'ablate@no-memory', 'ablate@no-transformer', 'ablate@no-hierarchy']);
    expect(p.stages.get('data-ex1')?.params).toEqual({ seed: 42, 'ex1.n': 64, 'ex1.steps': 50 });
  });

  it('wrong shapes of params, profiles, matrix and env, in plain words', async () => {
    const root = await project({
      'pipeline.yaml': text(
        'params: [1, 2]',
        'profiles:',
        '  smoke: 3',
        'stages:',
        '  a:',
        '    cmd: ""',
        '    matrix: { v: [], w: [{ x: 1 }] }',
        '    env: [NOT-A-NAME]',
      ),
    });
    expect(await errorsOf(root)).toBe(
      text(
        'error: pipeline.yaml:1:9 "params" must be a mapping of param names to values.',
        'params: [1, 2]',
        '        ~~~~~~',
        '',
        'error: pipeline.yaml:3:10 Profile "smoke" must be a mapping of dotted param keys to values.',
        '  smoke: 3',
        '         ~',
        '',
        'error: pipeline.yaml:6:10 Stage "a": "cmd" must be a non-empty command string.',
        '    cmd: ""',
        '         ~~',
        '',
        'error: pipeline.yaml:7:18 Stage "a": matrix axis "v" must be a list of values or a "${param}" reference.',
        '    matrix: { v: [], w: [{ x: 1 }] }',
        '                 ~~',
        '',
        'error: pipeline.yaml:7:26 Stage "a": matrix axis "w" must be a list of plain values (strings, numbers, booleans).',
        '    matrix: { v: [], w: [{ x: 1 }] }',
        '                         ~~~~~~~~',
        '',
        'error: pipeline.yaml:8:11 Stage "a": "env" must be a list of environment variable names.',
        '    env: [NOT-A-NAME]',
        '          ~~~~~~~~~~',
      ),
    );
  });

  it('an unknown key with no close match lists the allowed ones', async () => {
    const root = await project({ 'pipeline.yaml': text('stages:', '  a:', '    cmd: x', '    zzzzzz: 1') });
    expect(await errorsOf(root)).toBe(
      text(
        'error: pipeline.yaml:4:5 Stage "a": unknown key "zzzzzz". Allowed keys: cmd, desc, wdir, deps, outs, metrics, plots, params, matrix, exclusive, resources, env, runtime.',
        '    zzzzzz: 1',
        '    ~~~~~~',
      ),
    );
  });

  it('a profile asked for where none are defined', async () => {
    const root = await project({ 'pipeline.yaml': text('stages: {}') });
    expect(await errorsOf(root, { profile: 'ci' })).toBe(text('error: Unknown profile "ci": the pipeline defines no profiles.'));
  });
});
