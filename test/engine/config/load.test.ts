/** Resolving valid pipelines: matrix, interpolation, profiles, --set, paths, graph order. */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../../lib/engine/config/load.ts';
import { cleanup, errorsOf, load, project } from './helpers.ts';

afterAll(cleanup);

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

const BASE = yaml(
  'params:',
  '  seed: 42',
  '  ex1: { n: 1000, epochs: 20, units: 64 }',
  '  lr: 0.001',
  '  variants: [small, large]',
  'profiles:',
  '  smoke: { ex1.n: 64, ex1.epochs: 1 }',
  'stages:',
  '  data-ex1:',
  '    cmd: tsx stages/data.ts --n ${ex1.n} --seed ${seed}',
  '    params: [seed, ex1.n]',
  '    outs: [data/ex1/]',
  '  train-ex1:',
  '    desc: train for ${ex1.epochs} epochs',
  '    cmd: tsx stages/train.ts --lr ${lr} --literal $${HOME}',
  '    wdir: ./work/../work',
  '    deps: [./data/ex1/train.json, stages/train.ts]',
  '    params: [ex1]',
  '    outs: [models/ex1]',
  '    metrics: [reports/ex1/metrics.json]',
  '    plots: [reports/ex1/loss.csv]',
  '    env: [CUDA_VISIBLE_DEVICES]',
  '    runtime: [node --version]',
  '    exclusive: true',
);

describe('loadPipeline', () => {
  it('resolves params, interpolation, paths and outs ∪ metrics ∪ plots', async () => {
    const root = await project({ 'pipeline.yaml': BASE, 'stages/train.ts': '' });
    const p = await load(root);
    expect(p.root).toBe(root);
    expect(p.order).toEqual(['data-ex1', 'train-ex1']);
    const data = p.stages.get('data-ex1');
    expect(data?.cmd).toBe('tsx stages/data.ts --n 1000 --seed 42');
    expect(data?.outs).toEqual(['data/ex1']);
    expect(data?.params).toEqual({ seed: 42, 'ex1.n': 1000 });
    const train = p.stages.get('train-ex1');
    expect(train).toMatchObject({
      name: 'train-ex1',
      group: 'train-ex1',
      desc: 'train for 20 epochs',
      cmd: 'tsx stages/train.ts --lr 0.001 --literal ${HOME}',
      wdir: 'work',
      deps: ['data/ex1/train.json', 'stages/train.ts'],
      outs: ['models/ex1', 'reports/ex1/metrics.json', 'reports/ex1/loss.csv'],
      metrics: ['reports/ex1/metrics.json'],
      plots: ['reports/ex1/loss.csv'],
      params: { ex1: { n: 1000, epochs: 20, units: 64 } },
      env: ['CUDA_VISIBLE_DEVICES'],
      runtime: ['node --version'],
      exclusive: true,
    });
    expect(train?.location).toMatchObject({ line: 13, col: 3 });
    expect(train?.depLocations?.[0]).toMatchObject({ line: 17, col: 12 });
    expect(train?.outLocations?.map((l) => l?.line)).toEqual([19, 20, 21]);
    expect(p.upstream.get('train-ex1')).toEqual(['data-ex1']);
    expect(p.downstream.get('data-ex1')).toEqual(['train-ex1']);
  });

  it('applies the profile, then --set, with values typed as YAML scalars', async () => {
    const root = await project({ 'pipeline.yaml': BASE, 'stages/train.ts': '' });
    const p = await load(root, {
      profile: 'smoke',
      set: [
        { key: 'ex1.units', value: '128' },
        { key: 'ex1.epochs', value: '3' },
        { key: 'seed', value: 'abc' },
        { key: 'lr', value: '1e-4' },
        { key: 'variants', value: '[a, b, c]' },
      ],
    });
    expect(p.params).toEqual({ seed: 'abc', ex1: { n: 64, epochs: 3, units: 128 }, lr: 0.0001, variants: ['a', 'b', 'c'] });
    expect(p.stages.get('train-ex1')?.params).toEqual({ ex1: { n: 64, epochs: 3, units: 128 } });
    expect(p.stages.get('train-ex1')?.desc).toBe('train for 3 epochs');
    expect(p.stages.get('data-ex1')?.cmd).toBe('tsx stages/data.ts --n 64 --seed abc');
    // The file's own values are untouched by the overrides of another load.
    expect((await load(root)).params.ex1).toEqual({ n: 1000, epochs: 20, units: 64 });
  });

  it('--set parses booleans and quoted text as YAML does; other text stays text', async () => {
    const root = await project({ 'pipeline.yaml': yaml('params:', '  a: 1', '  b: 1', '  c: 1', '  d: 1', 'stages: {}') });
    const p = await load(root, {
      set: [
        { key: 'a', value: 'true' },
        { key: 'b', value: '"128"' },
        { key: 'c', value: 'a: b' },
        { key: 'd', value: '' },
      ],
    });
    expect(p.params).toEqual({ a: true, b: '128', c: 'a: b', d: '' });
  });

  it('expands a one-axis matrix into name@value members', async () => {
    const root = await project({
      'pipeline.yaml': yaml(
        'stages:',
        '  ablate:',
        '    matrix: { variant: [full, no-memory] }',
        '    cmd: tsx stages/ex3.ts --variant ${item.variant}',
        '    outs:',
        '      - models/ex3-${item.variant}',
        '  compare:',
        '    cmd: tsx stages/compare.ts',
        '    deps: [models]',
        '    outs: [reports/compare.json]',
      ),
    });
    const p = await load(root);
    expect(p.order).toEqual(['ablate@full', 'ablate@no-memory', 'compare']);
    expect(p.stages.get('ablate@no-memory')).toMatchObject({
      group: 'ablate',
      matrixItem: { variant: 'no-memory' },
      cmd: 'tsx stages/ex3.ts --variant no-memory',
      outs: ['models/ex3-no-memory'],
    });
    expect(p.upstream.get('compare')).toEqual(['ablate@full', 'ablate@no-memory']);
  });

  it('expands several axes as a cartesian product in axis order; an axis may name a list param', async () => {
    const root = await project({
      'pipeline.yaml': yaml(
        'params:',
        '  sizes: [16, 32]',
        'stages:',
        '  sweep:',
        '    matrix:',
        '      cell: [lstm, gru]',
        '      size: ${sizes}',
        '      tied: [true]',
        '    cmd: run ${item.cell} ${item.size} ${item.tied}',
        '    outs:',
        '      - "out/${item.cell}-${item.size}"',
      ),
    });
    const p = await load(root);
    expect([...p.stages.keys()]).toEqual(['sweep@lstm-16-true', 'sweep@lstm-32-true', 'sweep@gru-16-true', 'sweep@gru-32-true']);
    expect(p.stages.get('sweep@gru-16-true')).toMatchObject({
      cmd: 'run gru 16 true',
      outs: ['out/gru-16'],
      matrixItem: { cell: 'gru', size: 16, tied: true },
    });
    // --set changes the list the axis reads.
    const q = await load(root, { set: [{ key: 'sizes', value: '[8]' }] });
    expect([...q.stages.keys()]).toEqual(['sweep@lstm-8-true', 'sweep@gru-8-true']);
  });

  it('orders topologically, definition order breaking ties; dir deps and outs link stages', async () => {
    const root = await project({
      'pipeline.yaml': yaml(
        'stages:',
        '  report:',
        '    cmd: r',
        '    deps: [models, data/b.csv]',
        '    outs: [report.html]',
        '  train:',
        '    cmd: t',
        '    deps: [data]',
        '    outs: [models/m]',
        '  prep-b:',
        '    cmd: b',
        '    outs: [data/b.csv]',
        '  prep-a:',
        '    cmd: a',
        '    outs: [data/a]',
        '  lone:',
        '    cmd: l',
      ),
    });
    const p = await load(root);
    expect(p.order).toEqual(['prep-b', 'prep-a', 'train', 'report', 'lone']);
    expect(p.upstream.get('train')).toEqual(['prep-b', 'prep-a']);
    expect(p.upstream.get('report')).toEqual(['train', 'prep-b']);
    expect(p.downstream.get('prep-b')).toEqual(['report', 'train']);
  });

  it('an empty file is refused (a truncated or unwritten file, not an empty pipeline); "stages: {}" is one', async () => {
    expect(await errorsOf(await project({ 'pipeline.yaml': '' }))).toMatch(/pipeline\.yaml:1:1 The file is empty: it defines no stages\./);
    const p = await load(await project({ 'pipeline.yaml': 'stages: {}\n' }));
    expect(p.stages.size).toBe(0);
    expect(p.order).toEqual([]);
  });

  it('needs no pipeline.yaml in the repository: a temp dir without one reports it plainly', async () => {
    const root = await project({});
    const r = await loadPipeline({ root });
    expect(r).toEqual({ ok: false, error: [{ severity: 'error', message: `No pipeline.yaml in ${root}.` }] });
  });

  it('a root that is not a mapping is one error', async () => {
    expect(await errorsOf(await project({ 'pipeline.yaml': '- a\n- b\n' }))).toBe(
      'error: pipeline.yaml:1:1 pipeline.yaml must be a mapping with "params", "profiles" and "stages".\n- a\n~~~\n',
    );
  });
});
