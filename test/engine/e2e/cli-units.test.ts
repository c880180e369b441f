/**
 * In-process checks of the CLI's pure pieces (argument parsing, tables, progress lines, plans,
 * metrics diffs) — fast, no child processes — plus `main` with captured output.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../lib/engine/cli.ts';
import type { CliIo } from '../../../lib/engine/cli/io.ts';
import { formatTable } from '../../../lib/engine/cli/io.ts';
import { UsageError, parseVerbArgs } from '../../../lib/engine/cli/verb.ts';
import { findVerb } from '../../../lib/engine/cli/verbs.ts';
import { didYouMean } from '../../../lib/engine/suggest.ts';
import { diffTables, flatten } from '../../../lib/engine/metrics.ts';
import { planFromStatus } from '../../../lib/engine/plan.ts';
import { formatProgress, formatSummary } from '../../../lib/engine/reporters/format.ts';

function captured(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', color: false, isTTY: false, cwd: process.cwd() } as CliIo & { stdout: string; stderr: string };
  io.out = (t) => void (io.stdout += t);
  io.err = (t) => void (io.stderr += t);
  return io;
}

describe('CLI pieces', () => {
  it('parses run options and rejects an unknown one with a suggestion', () => {
    const run = findVerb('run')!;
    const { values, positionals } = parseVerbArgs(run, ['train', '-j', '3', '--set', 'a=1', '--set', 'b=2', '--dry-run'], didYouMean);
    expect(positionals).toEqual(['train']);
    expect(values).toMatchObject({ jobs: '3', set: ['a=1', 'b=2'], 'dry-run': true });
    expect(() => parseVerbArgs(run, ['--dryrun'], didYouMean)).toThrow(UsageError);
    try {
      parseVerbArgs(run, ['--dryrun'], didYouMean);
    } catch (e) {
      expect((e as UsageError).hint).toBe('Did you mean "--dry-run"?');
    }
  });

  it('main: --help, verb help, unknown verb, bad --jobs', async () => {
    const io = captured();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout).toContain('Verbs:');
    const io2 = captured();
    expect(await main(['status', '--help'], io2)).toBe(0);
    expect(io2.stdout).toMatch(/^Usage: pipeline status/);
    const io3 = captured();
    expect(await main(['stats'], io3)).toBe(2);
    expect(io3.stderr).toContain('Did you mean "status"?');
    const io4 = captured();
    expect(await main(['run', '-j', 'zero'], io4)).toBe(2);
    expect(io4.stderr).toContain('--jobs');
    expect(io4.stdout).toBe('');
  });

  it('formats tables, progress lines and the summary', () => {
    expect(formatTable([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\n---  --\nccc  d\n');
    expect(formatProgress({ message: 'epoch 3/20 loss 0.41', step: 3, total: 20, t: 3000 })).toBe('epoch 3/20 loss 0.41 ETA 17.0s');
    expect(formatProgress({ step: 2, total: 4, values: { loss: 0.123456 } })).toBe('step 2/4 loss 0.123');
    // A message that already states its ETA (reportEpoch's) gets no second one.
    expect(formatProgress({ message: 'epoch 3/20 loss 0.41 · ETA 12s', step: 3, total: 20, t: 3000 })).toBe('epoch 3/20 loss 0.41 · ETA 12s');
    const s = formatSummary(
      [
        { name: 'a', status: 'ran', durationMs: 1200 },
        { name: 'b', status: 'cached', durationMs: 1 },
        { name: 'c', status: 'failed', durationMs: 50, error: 'Stage "c" failed with exit code 2: false', log: '.pipeline/logs/c.log' },
        { name: 'd', status: 'skipped', durationMs: 0 },
      ],
      1500,
      new Map([['c', 'line one\nline two\n']]),
      false,
    );
    expect(s).toContain('1 ran (1.2s), 1 cached, 0 restored, 1 skipped, 1 failed');
    expect(s).toContain('Stage "c" failed with exit code 2: false');
    expect(s).toContain('│ line two');
  });

  it('plans: a restorable stage below one that runs is planned to run', () => {
    const plan = planFromStatus(
      [
        { name: 'a', state: { state: 'changed', reasons: [{ kind: 'param', key: 'x', before: 1, after: 2 }] } },
        { name: 'b', state: { state: 'restorable', reasons: [] } },
        { name: 'c', state: { state: 'fresh' } },
        { name: 'd', state: { state: 'restorable', reasons: [] } },
      ],
      new Map([['b', ['a']]]),
      false,
    );
    expect(plan.map((e) => e.action)).toEqual(['run', 'run', 'fresh', 'restore']);
    expect(planFromStatus([{ name: 'c', state: { state: 'fresh' } }], new Map(), true)[0]?.action).toBe('run');
  });

  it('flattens and diffs metrics', () => {
    expect(flatten({ a: { b: 1, c: [2, 'x'] }, d: null })).toEqual({ 'a.b': 1, 'a.c.0': 2, 'a.c.1': 'x', d: null });
    expect(diffTables('m.json', { acc: 0.5, old: 1, same: 3 }, { acc: 0.75, new: 2, same: 3 })).toEqual([
      { path: 'm.json', key: 'acc', before: 0.5, after: 0.75, delta: 0.25 },
      { path: 'm.json', key: 'new', after: 2 },
      { path: 'm.json', key: 'old', before: 1 },
    ]);
  });
});
