/** formatDiagnostics / diagnosticsToJson, didYouMean and parseSetArgs. */
import { afterAll, describe, expect, it } from 'vitest';
import { parseSetArgs } from '../../../lib/engine/config/set-args.ts';
import { diagnosticsToJson, formatDiagnostics } from '../../../lib/engine/diagnostics.ts';
import { didYouMean } from '../../../lib/engine/suggest.ts';
import type { Diagnostic } from '../../../lib/engine/types.ts';
import { cleanup, project } from './helpers.ts';

afterAll(cleanup);

const SOURCE = 'stages:\n  train:\n    cmd: x\n    epoch: 20\n';

describe('formatDiagnostics', () => {
  const diag: Diagnostic = {
    severity: 'error',
    message: 'Stage "train": unknown key "epoch".',
    hint: 'Did you mean "epochs"?',
    location: { file: 'pipeline.yaml', line: 4, col: 5, endLine: 4, endCol: 10 },
    related: [{ message: 'defined here', location: { file: 'pipeline.yaml', line: 2, col: 3 } }, { message: 'no location' }],
  };

  it('plain: error prefix, location, hint, excerpt, underline and indented notes', async () => {
    const cwd = await project({ 'pipeline.yaml': SOURCE });
    expect(formatDiagnostics([diag, { severity: 'warning', message: 'Something odd.' }], { color: false, cwd })).toBe(
      [
        'error: pipeline.yaml:4:5 Stage "train": unknown key "epoch". Did you mean "epochs"?',
        '    epoch: 20',
        '    ~~~~~',
        '    note: pipeline.yaml:2:3 defined here',
        '      train:',
        '      ~',
        '    note: no location',
        '',
        'warning: Something odd.',
        '',
      ].join('\n'),
    );
  });

  it('colour: the ❌ mark and ANSI codes; absolute locations shown relative to cwd', async () => {
    const cwd = await project({ 'sub/pipeline.yaml': SOURCE });
    const located: Diagnostic = { ...diag, related: [], location: { ...diag.location!, file: `${cwd}/sub/pipeline.yaml` } };
    const out = formatDiagnostics([located], { color: true, cwd });
    expect(out.startsWith('❌ \x1b[1msub/pipeline.yaml:4:5 \x1b[22m\x1b[31mStage "train"')).toBe(true);
    expect(out).toContain('\n    epoch: 20\n    \x1b[31m~~~~~\x1b[39m\n');
  });

  it('an unreadable source file still prints the message', () => {
    const out = formatDiagnostics([diag], { color: false, cwd: '/nonexistent-dir' });
    expect(out.split('\n')[0]).toBe('error: pipeline.yaml:4:5 Stage "train": unknown key "epoch". Did you mean "epochs"?');
    expect(out).not.toContain('~');
  });

  it('nothing to print is the empty string', () => {
    expect(formatDiagnostics([], { color: false, cwd: '/' })).toBe('');
  });

  it('diagnosticsToJson flattens locations', () => {
    expect(diagnosticsToJson([diag])).toEqual([
      {
        severity: 'error',
        message: 'Stage "train": unknown key "epoch".',
        hint: 'Did you mean "epochs"?',
        file: 'pipeline.yaml',
        line: 4,
        col: 5,
        endLine: 4,
        endCol: 10,
        related: [{ message: 'defined here', file: 'pipeline.yaml', line: 2, col: 3 }, { message: 'no location' }],
      },
    ]);
  });
});

describe('didYouMean', () => {
  it('suggests close names, ignores far ones', () => {
    expect(didYouMean('epoch', ['cmd', 'epochs', 'env'])).toBe('epochs');
    expect(didYouMean('dep', ['deps', 'desc', 'outs'])).toBe('deps');
    expect(didYouMean('Stages', ['params', 'stages'])).toBe('stages');
    expect(didYouMean('ex1.unit', ['ex1', 'ex1.units', 'ex2.units'])).toBe('ex1.units');
    expect(didYouMean('banana', ['cmd', 'deps', 'outs'])).toBeUndefined();
    expect(didYouMean('ab', ['xy'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });

  it('counts an adjacent transposition as one edit', () => {
    // Plain Levenshtein makes `rnu` → `run` two edits, over the one allowed for short words.
    expect(didYouMean('rnu', ['run', 'status', 'dag'])).toBe('run');
    expect(didYouMean('stauts', ['run', 'status', 'dag'])).toBe('status');
    expect(didYouMean('dga', ['run', 'status', 'dag'])).toBe('dag');
    expect(didYouMean('urn', ['run'])).toBe('run');
    // A reversal is two edits, too far for a short word.
    expect(didYouMean('nur', ['run'])).toBeUndefined();
  });
});

describe('parseSetArgs', () => {
  it('splits at the first =', () => {
    expect(parseSetArgs(['ex1.units=128', 'name=a=b', 'empty='])).toEqual({
      ok: true,
      value: [
        { key: 'ex1.units', value: '128' },
        { key: 'name', value: 'a=b' },
        { key: 'empty', value: '' },
      ],
    });
  });

  it('reports every malformed argument', () => {
    const r = parseSetArgs(['novalue', '=3', 'ok=1', 'bad key=1']);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((d) => d.message)).toEqual([
      '--set "novalue": expected key=value with a dotted param key.',
      '--set "=3": expected key=value with a dotted param key.',
      '--set "bad key=1": expected key=value with a dotted param key.',
    ]);
    expect(r.error[0]?.hint).toBe('For example: --set ex1.units=128');
  });
});
