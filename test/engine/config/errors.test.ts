/**
 * Each malformed pipeline.yaml under test/fixtures/config yields its exact, located message.
 * Messages are compared whole, source excerpt and underline included.
 */
import { Hasher } from '../../../lib/engine/store/hasher.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, errorsOf, fixture, load, project } from './helpers.ts';

afterAll(cleanup);

const text = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('located config errors', () => {
  it('malformed YAML: the parser message at its position', async () => {
    expect(await errorsOf(await fixture('malformed-yaml'))).toBe(
      text(
        'error: pipeline.yaml:5:5 Flow sequence in block collection must be sufficiently indented and end with a ].',
        '    outs: [models/train]',
        '    ~',
      ),
    );
  });

  it('"${…}" inside a flow list: the YAML error says how to write it', async () => {
    const root = await fixture('unknown-stage-key', {
      'pipeline.yaml': text('stages:', '  a:', '    cmd: run', '    outs: [out-${item.x}]'),
    });
    expect(await errorsOf(root)).toBe(
      text(
        'error: pipeline.yaml:4:17 Missing , or : between flow sequence items. Inside [ … ] or { }, quote values that contain "${…}", or use a block list ("- item").',
        '    outs: [out-${item.x}]',
        '                ~',
      ),
    );
  });

  it('unknown top-level key, with a suggestion', async () => {
    expect(await errorsOf(await fixture('unknown-top-level-key'))).toBe(
      text('error: pipeline.yaml:3:1 Unknown top-level key "stage". Did you mean "stages"?', 'stage:', '~~~~~'),
    );
  });

  it('unknown stage key, with a suggestion', async () => {
    expect(await errorsOf(await fixture('unknown-stage-key'))).toBe(
      text('error: pipeline.yaml:4:5 Stage "train": unknown key "dep". Did you mean "deps"?', '    dep: [data/raw.csv]', '    ~~~'),
    );
  });

  it('wrong types and a missing cmd, all in one pass', async () => {
    expect(await errorsOf(await fixture('wrong-types'))).toBe(
      text(
        'error: pipeline.yaml:6:11 Stage "train": "deps" must be a list of paths.',
        '    deps: data/raw.csv',
        '          ~~~~~~~~~~~~',
        '',
        'error: pipeline.yaml:7:26 Stage "train": "outs" must be a list of paths.',
        '    outs: [models/train, 3]',
        '                         ~',
        '',
        'error: pipeline.yaml:8:16 Stage "train": "exclusive" must be true or false.',
        '    exclusive: yes',
        '               ~~~',
        '',
        'error: pipeline.yaml:9:3 Stage "eval" has no "cmd".',
        '  eval:',
        '  ~~~~',
      ),
    );
  });

  it('unknown params in a stage, each with a suggestion', async () => {
    expect(await errorsOf(await fixture('unknown-param'))).toBe(
      text(
        'error: pipeline.yaml:9:20 Stage "train": unknown param "ex1.unit". Did you mean "ex1.units"?',
        '    params: [seed, ex1.unit, ex2]',
        '                   ~~~~~~~~',
        '',
        'error: pipeline.yaml:9:30 Stage "train": unknown param "ex2". Did you mean "ex1"?',
        '    params: [seed, ex1.unit, ex2]',
        '                             ~~~',
      ),
    );
  });

  it('a profile key that is not a param, located in the file', async () => {
    const expected = text(
      'error: pipeline.yaml:8:5 Profile "smoke": "ex1.epoch" is not a param. Did you mean "ex1.epochs"?',
      '    ex1.epoch: 1',
      '    ~~~~~~~~~',
    );
    const root = await fixture('unknown-profile-key');
    // Every profile is checked, whether or not it is the one selected.
    expect(await errorsOf(root)).toBe(expected);
    expect(await errorsOf(root, { profile: 'smoke' })).toBe(expected);
  });

  it('unknown profile and unknown --set key: unlocated, with suggestions', async () => {
    const root = await fixture('unknown-profile-key');
    const out = await errorsOf(root, { profile: 'smok', set: [{ key: 'ex1.epocs', value: '3' }] });
    expect(out).toBe(
      text(
        'error: Unknown profile "smok". Did you mean "smoke"?',
        '',
        'error: --set "ex1.epocs": no such param. Did you mean "ex1.epochs"?',
        '',
        'error: pipeline.yaml:8:5 Profile "smoke": "ex1.epoch" is not a param. Did you mean "ex1.epochs"?',
        '    ex1.epoch: 1',
        '    ~~~~~~~~~',
      ),
    );
  });

  it('bad interpolations: unknown variable, non-scalar value, item outside a matrix, unterminated', async () => {
    expect(await errorsOf(await fixture('bad-interpolation'))).toBe(
      text(
        'error: pipeline.yaml:6:38 Stage "train": unknown variable "${ex1.unit}". Did you mean "${ex1.units}"?',
        '    cmd: tsx stages/train.ts --units ${ex1.unit} --all "${ex1}"',
        '                                     ~~~~~~~~~~~',
        '',
        'error: pipeline.yaml:6:57 Stage "train": "${ex1}" is a mapping, not a single value. Name one of its keys, e.g. "${ex1.units}".',
        '    cmd: tsx stages/train.ts --units ${ex1.unit} --all "${ex1}"',
        '                                                        ~~~~~~',
        '',
        'error: pipeline.yaml:8:16 Stage "train": unknown variable "${item.variant}". "item" exists only in stages with a matrix.',
        '      - models/${item.variant}',
        '               ~~~~~~~~~~~~~~~',
        '',
        'error: pipeline.yaml:9:25 Stage "train": "${ex1.units" has no closing "}".',
        '    desc: "unterminated ${ex1.units"',
        '                        ~~~~~~~~~~~',
      ),
    );
  });

  it('a failed interpolation in a path is reported once, not also as a bad path', async () => {
    const root = await project({ 'pipeline.yaml': text('params: { x: 1 }', 'stages:', '  a:', '    cmd: run', '    outs:', '      - ${nope}') });
    expect(await errorsOf(root)).toBe(
      text(
        'error: pipeline.yaml:6:9 Stage "a": unknown variable "${nope}". Write "$${nope}" for a literal "${nope}".',
        '      - ${nope}',
        '        ~~~~~~~',
      ),
    );
  });

  it('a cycle of three: the whole cycle, each edge located', async () => {
    expect(await errorsOf(await fixture('cycle'))).toBe(
      text(
        'error: pipeline.yaml:2:3 Stages form a cycle (each depends on the next): a → c → b → a.',
        '  a:',
        '  ~',
        '    note: pipeline.yaml:4:12 "a" depends on "c" through dep "c/out".',
        '        deps: [c/out]',
        '               ~~~~~',
        '    note: pipeline.yaml:12:12 "c" depends on "b" through dep "b/out".',
        '        deps: [b/out]',
        '               ~~~~~',
        '    note: pipeline.yaml:8:12 "b" depends on "a" through dep "a/out".',
        '        deps: [a/out]',
        '               ~~~~~',
      ),
    );
  });

  it('overlapping and equal outs (metrics count as outs): both locations', async () => {
    expect(await errorsOf(await fixture('overlapping-outs'))).toBe(
      text(
        'error: pipeline.yaml:7:12 Stage "b": out "models/b" overlaps out "models" of stage "a".',
        '    outs: [models/b]',
        '           ~~~~~~~~',
        '    note: pipeline.yaml:4:12 "models" is declared by "a" here.',
        '        outs: [models]',
        '               ~~~~~~',
        '',
        'error: pipeline.yaml:13:15 Stages "c" and "d" both produce "reports/c.json".',
        '    metrics: [reports/c.json]',
        '              ~~~~~~~~~~~~~~',
        '    note: pipeline.yaml:10:12 "reports/c.json" is declared by "c" here.',
        '        outs: [reports/c.json]',
        '               ~~~~~~~~~~~~~~',
      ),
    );
  });

  it('a dep nothing produces and that does not exist (an existing one is fine)', async () => {
    const root = await fixture('missing-dep', { 'stages/train.ts': '' });
    expect(await errorsOf(root)).toBe(
      text(
        'error: pipeline.yaml:5:9 Stage "train": dep "data/raw.csv" does not exist and no stage produces it.',
        '      - data/raw.csv',
        '        ~~~~~~~~~~~~',
      ),
    );
  });

  it('missing deps among many in one directory (checked by listing it), and in a missing directory', async () => {
    const deps = ['data/a.csv', 'data/b.csv', 'data/c.csv', 'data/gone.csv', 'data/d.csv', 'none/1', 'none/2', 'none/3', 'none/4'];
    const root = await project({
      'pipeline.yaml': ['stages:', '  s:', '    cmd: x', '    deps:', ...deps.map((d) => `      - ${d}`), ''].join('\n'),
      'data/a.csv': '',
      'data/b.csv': '',
      'data/c.csv': '',
      'data/d.csv': '',
    });
    const out = await errorsOf(root);
    expect(out.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      'error: pipeline.yaml:8:9 Stage "s": dep "data/gone.csv" does not exist and no stage produces it.',
      'error: pipeline.yaml:10:9 Stage "s": dep "none/1" does not exist and no stage produces it.',
      'error: pipeline.yaml:11:9 Stage "s": dep "none/2" does not exist and no stage produces it.',
      'error: pipeline.yaml:12:9 Stage "s": dep "none/3" does not exist and no stage produces it.',
      'error: pipeline.yaml:13:9 Stage "s": dep "none/4" does not exist and no stage produces it.',
    ]);
  });

  it('missing deps found through a given exists(), the same ones, in the same order', async () => {
    const deps = ['data/a.csv', 'data/gone.csv', 'none/1', 'data/b.csv'];
    const root = await project({
      'pipeline.yaml': ['stages:', '  s:', '    cmd: x', '    deps:', ...deps.map((d) => `      - ${d}`), ''].join('\n'),
      'data/a.csv': '',
      'data/b.csv': '',
    });
    const hasher = new Hasher({ root });
    const asked: string[] = [];
    const exists = (rel: string) => (asked.push(rel), hasher.exists(rel));
    expect(await errorsOf(root, { exists })).toBe(await errorsOf(root));
    expect(asked).toEqual(deps);
    // What exists() says is what counts: here it claims every file is there.
    expect((await load(root, { exists: () => true })).stages.get('s')?.deps).toEqual(deps);
  });

  it('a stage depending on its own out', async () => {
    expect(await errorsOf(await fixture('self-dependency'))).toBe(
      text('error: pipeline.yaml:4:12 Stage "report": dep "reports" is also one of its own outs.', '    deps: [reports]', '           ~~~~~~~'),
    );
  });

  it('absolute paths and paths escaping the root', async () => {
    expect(await errorsOf(await fixture('bad-paths'))).toBe(
      text(
        'error: pipeline.yaml:4:12 Stage "train": dep "/etc/passwd" is an absolute path; write it relative to the project root.',
        '    deps: [/etc/passwd, ../outside.csv]',
        '           ~~~~~~~~~~~',
        '',
        'error: pipeline.yaml:4:25 Stage "train": dep "../outside.csv" is outside the project root.',
        '    deps: [/etc/passwd, ../outside.csv]',
        '                        ~~~~~~~~~~~~~~',
        '',
        'error: pipeline.yaml:5:12 Stage "train": out "./" names the project root itself; name a file or directory in it.',
        '    outs: [./]',
        '           ~~',
        '',
        'error: pipeline.yaml:6:11 Stage "train": wdir "../elsewhere" is outside the project root.',
        '    wdir: ../elsewhere',
        '          ~~~~~~~~~~~~',
      ),
    );
  });

  it('duplicate matrix members', async () => {
    expect(await errorsOf(await fixture('duplicate-matrix-member'))).toBe(
      text(
        'error: pipeline.yaml:3:5 Stage "sweep": matrix member "sweep@x-y-z" occurs twice. Member names join the axis values with "-"; make the values distinct.',
        '    matrix:',
        '    ~~~~~~',
      ),
    );
  });

  it('bad matrix axes and an invalid stage name', async () => {
    expect(await errorsOf(await fixture('bad-matrix'))).toBe(
      text(
        'error: pipeline.yaml:7:13 Stage "sweep": matrix axis "size" names unknown param "sizez". Did you mean "sizes"?',
        '      size: ${sizez}',
        '            ~~~~~~~~',
        '',
        'error: pipeline.yaml:8:11 Stage "sweep": matrix axis "lr": param "lr" must be a non-empty list of plain values.',
        '      lr: ${lr}',
        '          ~~~~~',
        '',
        'error: pipeline.yaml:12:17 Stage "names": matrix value "no memory" of axis "variant" cannot be part of a stage name. Use letters, digits, "_", "." and "-".',
        '      variant: [no memory, ok]',
        '                ~~~~~~~~~',
        '',
        'error: pipeline.yaml:14:3 Invalid stage name "bad name": use letters, digits, "_", "." and "-", not starting with "." or "-".',
        '  bad name:',
        '  ~~~~~~~~',
      ),
    );
  });

  it('duplicate keys', async () => {
    expect(await errorsOf(await fixture('duplicate-key'))).toBe(
      text('error: pipeline.yaml:5:3 Duplicate key "train".', '  train:', '  ~~~~~'),
    );
  });

  it('a missing pipeline.yaml is one unlocated sentence', async () => {
    const root = await fixture('duplicate-key');
    expect(await errorsOf(root, { file: 'other.yaml' })).toBe(text(`error: No other.yaml in ${root}.`));
  });
});
