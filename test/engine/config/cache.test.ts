/** The parse cache (.pipeline/config-cache.v8): same results as a fresh parse, never stale. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_CACHE } from '../../../lib/engine/config/load.ts';
import { cleanup, errorsOf, fixture, load, project } from './helpers.ts';

afterAll(cleanup);

const PIPELINE = [
  'params:',
  '  ex1: { units: 64 }',
  'stages:',
  '  data:',
  '    cmd: d',
  '    outs: [data]',
  '  train:',
  '    matrix: { v: [a, b] }',
  '    cmd: "t ${item.v} ${ex1.units}"',
  '    deps: [data]',
  '    outs:',
  '      - models/${item.v}',
  '',
].join('\n');

describe('parse cache', () => {
  it('a second load reads the cache and resolves identically, locations included', async () => {
    const root = await project({ 'pipeline.yaml': PIPELINE });
    const first = await load(root);
    expect(existsSync(path.join(root, CONFIG_CACHE))).toBe(true);
    const second = await load(root, { set: [{ key: 'ex1.units', value: '8' }] });
    const third = await load(root);
    expect(third).toEqual(first);
    expect(second.stages.get('train@b')?.cmd).toBe('t b 8');
    expect(third.stages.get('train@b')?.outLocations?.[0]).toMatchObject({ line: 12, col: 9 });
  });

  it('errors found after the schema pass read the same from the cache', async () => {
    for (const name of ['bad-interpolation', 'cycle', 'unknown-param', 'bad-matrix']) {
      const root = await fixture(name);
      const fresh = await errorsOf(root);
      expect(await errorsOf(root)).toBe(fresh);
    }
  });

  it('an edited file is parsed again', async () => {
    const root = await project({ 'pipeline.yaml': PIPELINE });
    await load(root);
    await writeFile(path.join(root, 'pipeline.yaml'), PIPELINE.replace('    cmd: d', '    cmd: d\n    dep: [x]'));
    expect(await errorsOf(root)).toContain('error: pipeline.yaml:6:5 Stage "data": unknown key "dep". Did you mean "deps"?');
  });

  it('a file with schema errors is never cached; a corrupt cache is ignored', async () => {
    const root = await fixture('wrong-types');
    const out = await errorsOf(root);
    expect(existsSync(path.join(root, CONFIG_CACHE))).toBe(false);
    expect(await errorsOf(root)).toBe(out);

    const ok = await project({ 'pipeline.yaml': PIPELINE, [CONFIG_CACHE]: 'not a v8 record' });
    expect((await load(ok)).order).toEqual(['data', 'train@a', 'train@b']);
    expect((await readFile(path.join(ok, CONFIG_CACHE))).toString()).not.toBe('not a v8 record');
  });
});
