/** selectTargets and formatDag on a loaded pipeline (lib/engine/graph.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDag, selectTargets } from '../../../lib/engine/graph.ts';
import type { Pipeline } from '../../../lib/engine/types.ts';
import { cleanup, load, project } from './helpers.ts';

afterAll(cleanup);

let p: Pipeline;
beforeAll(async () => {
  const root = await project({
    'pipeline.yaml': [
      'stages:',
      '  data:',
      '    cmd: d',
      '    outs: [data]',
      '  train:',
      '    cmd: t',
      '    deps: [data]',
      '    outs: [models/base]',
      '  ablate:',
      '    matrix: { variant: [full, no-memory, no-transformer] }',
      '    cmd: a ${item.variant}',
      '    deps: [data]',
      '    outs:',
      '      - models/ex3-${item.variant}',
      '  compare:',
      '    cmd: c',
      '    deps: [models]',
      '    outs: [reports/compare.json]',
      '  "lint.check":',
      '    cmd: l',
      '',
    ].join('\n'),
  });
  p = await load(root);
});

const select = (targets: string[], opts = {}): string[] => {
  const r = selectTargets(p, targets, opts);
  if (!r.ok) throw new Error(r.error.map((d) => d.message).join('\n'));
  return r.value;
};

describe('selectTargets', () => {
  it('no targets: every stage, in topological order', () => {
    expect(select([])).toEqual(['data', 'train', 'ablate@full', 'ablate@no-memory', 'ablate@no-transformer', 'compare', 'lint.check']);
  });

  it('a stage brings its upstream closure unless told not to', () => {
    expect(select(['train'])).toEqual(['data', 'train']);
    expect(select(['train'], { withUpstream: false })).toEqual(['train']);
  });

  it('a matrix member, a group, and a glob', () => {
    expect(select(['ablate@no-memory'], { withUpstream: false })).toEqual(['ablate@no-memory']);
    expect(select(['ablate'], { withUpstream: false })).toEqual(['ablate@full', 'ablate@no-memory', 'ablate@no-transformer']);
    expect(select(['ablate@no-*'], { withUpstream: false })).toEqual(['ablate@no-memory', 'ablate@no-transformer']);
    expect(select(['lint.*'])).toEqual(['lint.check']);
  });

  it('downstream adds what depends on the targets', () => {
    expect(select(['ablate@full'], { downstream: true })).toEqual(['data', 'ablate@full', 'compare']);
    expect(select(['data'], { downstream: true, withUpstream: false })).toEqual([
      'data',
      'train',
      'ablate@full',
      'ablate@no-memory',
      'ablate@no-transformer',
      'compare',
    ]);
  });

  it('unknown targets: every one reported, with a suggestion where one is close', () => {
    expect(selectTargets(p, ['trian', 'ablate@no-memry', 'zzz', 'nothing@*'], {})).toEqual({
      ok: false,
      error: [
        { severity: 'error', message: 'Unknown target "trian": no stage, matrix member or group has that name.', hint: 'Did you mean "train"?' },
        {
          severity: 'error',
          message: 'Unknown target "ablate@no-memry": no stage, matrix member or group has that name.',
          hint: 'Did you mean "ablate@no-memory"?',
        },
        { severity: 'error', message: 'Unknown target "zzz": no stage, matrix member or group has that name.' },
        { severity: 'error', message: 'Target "nothing@*" matches no stage.' },
      ],
    });
  });
});

describe('formatDag', () => {
  it('mermaid: positional ids, names as labels, producer → consumer edges', () => {
    expect(formatDag(p, 'mermaid')).toBe(
      [
        'flowchart TD',
        '  s0["data"]',
        '  s1["train"]',
        '  s2["ablate@full"]',
        '  s3["ablate@no-memory"]',
        '  s4["ablate@no-transformer"]',
        '  s5["compare"]',
        '  s6["lint.check"]',
        '  s0 --> s1',
        '  s0 --> s2',
        '  s0 --> s3',
        '  s0 --> s4',
        '  s1 --> s5',
        '  s2 --> s5',
        '  s3 --> s5',
        '  s4 --> s5',
        '',
      ].join('\n'),
    );
  });

  it('dot', () => {
    const dot = formatDag(p, 'dot');
    expect(dot.startsWith('digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n  "data";\n')).toBe(true);
    expect(dot).toContain('  "data" -> "ablate@no-memory";\n');
    expect(dot).toContain('  "ablate@no-transformer" -> "compare";\n');
    expect(dot.endsWith('}\n')).toBe(true);
    expect(dot.match(/->/g)).toHaveLength(8);
  });

  it('json', () => {
    const doc = JSON.parse(formatDag(p, 'json')) as { stages: { name: string; upstream: string[] }[]; edges: { from: string; to: string }[] };
    expect(doc.stages.map((s) => s.name)).toEqual(p.order);
    expect(doc.stages.find((s) => s.name === 'compare')).toMatchObject({
      group: 'compare',
      cmd: 'c',
      deps: ['models'],
      outs: ['reports/compare.json'],
      upstream: ['train', 'ablate@full', 'ablate@no-memory', 'ablate@no-transformer'],
    });
    expect(doc.edges).toHaveLength(8);
    expect(doc.edges[0]).toEqual({ from: 'data', to: 'train' });
  });
});
