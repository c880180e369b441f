import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NUMBERS_TEX, formatNumber, generateNumbersTex, parseNumbersTex, parsePrinted, verdictWord, verifyNumbers } from '../../lib/report/numbers.ts';
import type { NumberDecl } from '../../lib/report/paper-numbers.ts';
import { writePaperInputs } from '../../lib/report/paper-inputs.ts';
import { makeReportsFixture } from './fixtures.ts';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let root: string;
beforeEach(async () => {
  root = await makeReportsFixture();
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function editJson(rel: string, edit: (doc: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(root, rel);
  const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(doc);
  await writeFile(file, JSON.stringify(doc));
}

describe('numbers.tex', () => {
  it('prints each declared metric with its scale and digits; a missing key is an error naming the file and key', async () => {
    const { text, missing, errors } = await generateNumbersTex(root);
    expect(errors).toEqual([]);
    expect(missing).toEqual([]);
    const macros = parseNumbersTex(text);
    expect(macros.get('exOneAcc')).toBe('87.7');
    expect(macros.get('exOneFOne')).toBe('0.871');
    expect(macros.get('exOneParams')).toBe('12{,}867');
    expect(macros.get('exTwoMse')).toBe('0.0412');
    expect(macros.get('theoryMaxDim')).toBe('1{,}024');
    expect(macros.get('sweepBestLr')).toBe('0.003');
    expect(macros.get('exThreeFullMse')).toBe('0.0100');
    expect(macros.get('exThreeLastMse')).toBe('0.0100');
    expect(macros.get('gtpWer')).toBe('45.0');
    expect(macros.get('backendName')).toBe('cpu');
    await rm(path.join(root, 'reports/ex3-baseline'), { recursive: true });
    await editJson('reports/ex1/metrics.json', (d) => { delete d.macro_f1; });
    const again = await generateNumbersTex(root);
    expect(again.errors).toContain('\\exOneFOne (exercise 1 macro F1): reports/ex1/metrics.json has no "macro_f1".');
    expect(again.errors).toContain('\\exThreeBaselineMse (exercise 3 baseline: test MSE per pixel): reports/ex3-baseline/metrics.json does not exist or is not JSON.');
  });

  it('prints a missing pending key as n/a with a warning naming what it waits for, and verify accepts that n/a', async () => {
    // No key of the paper is pending today: declare one, as a branch adding a producer would.
    const decls: NumberDecl[] = [
      { macro: 'gtpWer', file: 'reports/g2p/metrics.json', path: 'test_wer', scale: 100, digits: 1, what: 'g2p word error rate (%)', pending: 'G2P on a standard split' },
      { macro: 'gtpPer', file: 'reports/g2p/metrics.json', path: 'test_per', scale: 100, digits: 1, what: 'g2p phoneme error rate (%)' },
    ];
    await editJson('reports/g2p/metrics.json', (d) => { delete d.test_wer; });
    const r = await generateNumbersTex(root, decls);
    expect(r.errors).toEqual([]);
    expect(r.missing).toEqual(['\\gtpWer: reports/g2p/metrics.json has no "test_wer" (pending: G2P on a standard split)']);
    const macros = parseNumbersTex(r.text);
    expect(macros.get('gtpWer')).toBe('n/a');
    expect(macros.get('gtpPer')).toBe('12.3');
    await mkdir(path.dirname(path.join(root, NUMBERS_TEX)), { recursive: true });
    await writeFile(path.join(root, NUMBERS_TEX), r.text);
    expect((await verifyNumbers(root, { decls })).ok).toBe(true);
    // Without `pending` the same n/a is a failure.
    const unpending = decls.map(({ pending: _, ...d }) => d as NumberDecl);
    expect((await verifyNumbers(root, { decls: unpending })).ok).toBe(false);
  });

  it('writes nothing when a key that is not pending is missing, so the previous inputs stay', async () => {
    await writePaperInputs(root);
    const before = await readFile(path.join(root, NUMBERS_TEX), 'utf8');
    await editJson('reports/ex2/metrics.json', (d) => { delete d.test_mae; d.test_mse = 0.5; });
    const r = await writePaperInputs(root);
    expect(r.errors.join('\n')).toContain('reports/ex2/metrics.json has no "test_mae"');
    expect(await readFile(path.join(root, NUMBERS_TEX), 'utf8')).toBe(before);
  });

  it('computes verdicts and signed differences from the metrics, and verify checks them', async () => {
    let macros = parseNumbersTex((await generateNumbersTex(root)).text);
    // ex3-full 0.010 vs baseline 0.060; course range 0.01-0.02; ex1 87.7 % in 85-90 %.
    expect(macros.get('exThreeVsBaseline')).toBe('beats');
    expect(macros.get('exThreeTarget')).toBe('within');
    expect(macros.get('exThreeBaselineTarget')).toBe('above');
    expect(macros.get('exThreeNoMemoryVsFull')).toBe('does not lower'); // 0.030 vs 0.010
    expect(macros.get('exThreeNoHierarchyLateVsFull')).toBe('does not lower');
    expect(macros.get('exOneTarget')).toBe('within');
    expect(macros.get('gtpWerTarget')).toBe('misses'); // 45 % > 30 %
    expect(macros.get('gtpPerTarget')).toBe('misses'); // 12.3 % > 8 %
    expect(macros.get('exTwoVsLast')).toBe('beats'); // 0.041 < 0.05
    expect(macros.get('spamLstmAttentionMaskedDeltaAcc')).toBe('-2.0'); // 95 - 97 points
    expect(macros.get('spamBowLogisticUnmaskedDeltaAcc')).toBe('-1.0');
    expect(macros.has('spamBowLogisticMaskedDeltaAcc')).toBe(false);
    await writePaperInputs(root);
    await editJson('reports/ex3-full/metrics.json', (d) => { d.test_mse = 0.07; });
    macros = parseNumbersTex((await generateNumbersTex(root)).text);
    expect(macros.get('exThreeVsBaseline')).toBe('does not beat');
    expect(macros.get('exThreeTarget')).toBe('above');
    const drift = (await verifyNumbers(root)).checks.filter((c) => c.status === 'drift').map((c) => c.macro);
    // Every ablation (0.015-0.030) now has a lower error than the full model.
    expect(drift).toEqual(['exThreeFullMse', 'exThreeNoMemoryVsFull', 'exThreeNoTransformerVsFull', 'exThreeNoHierarchyVsFull', 'exThreeTarget', 'exThreeVsBaseline']);
  });

  it('a verdict needs the words of its comparison (a declaration bug, thrown)', () => {
    const base = { macro: 'v', kind: 'verdict', file: 'f', path: 'p', what: 'v' } as const;
    expect(verdictWord({ ...base, against: { anchor: 'targetExOneAcc' }, words: { below: 'b', within: 'w', above: 'a' } }, 91, [85, 90])).toBe('a');
    expect(verdictWord({ ...base, against: { file: 'g', path: 'q' }, better: 'max', words: { better: 'beats', worse: 'does not beat' } }, 1, 1)).toBe('does not beat');
    expect(() => verdictWord({ ...base, against: { anchor: 'targetExOneAcc' }, words: { better: 'x', worse: 'y' } }, 1, [0, 2])).toThrow(/below\/within\/above/);
    expect(() => verdictWord({ ...base, against: { file: 'g', path: 'q' }, words: { better: 'x', worse: 'y' } }, 1, 2)).toThrow(/needs `better`/);
  });

  it('formats and parses grouped numbers', () => {
    const d: NumberDecl = { macro: 'x', file: 'f', path: 'p', digits: 1, scale: 100, what: 'x' };
    expect(formatNumber(d, 0.87654)).toBe('87.7');
    expect(formatNumber({ ...d, scale: 1, digits: 0 }, -1234567)).toBe('-1{,}234{,}567');
    expect(parsePrinted('1{,}234.5')).toBe(1234.5);
    expect(parsePrinted('n/a')).toBeNaN();
  });
});

describe('verifyNumbers', () => {
  it('passes when numbers.tex was generated from the current metrics', async () => {
    await writePaperInputs(root);
    const table = await readFile(path.join(root, 'paper/generated/tables/compare.tex'), 'utf8');
    expect(table).toContain('ex1 & classification & accuracy $\\uparrow$ & 0.8765 & 12867 & 1.5 \\\\');
    expect(table).toContain('ex2 & regression & mse $\\downarrow$ & 0.0412 & 25000 & 3.3 \\\\');
    expect(table).not.toContain('sweep/');
    const report = await verifyNumbers(root);
    expect(report.checks.filter((c) => c.status !== 'match')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('names each drifted number when a metric changed after the paper was generated', async () => {
    await writePaperInputs(root);
    await editJson('reports/ex1/metrics.json', (d) => { d.test_accuracy = 0.81; });
    await editJson('reports/ex2/metrics.json', (d) => { d.test_mse = 0.0424; }); // 0.042 ≠ 0.041
    const report = await verifyNumbers(root);
    expect(report.ok).toBe(false);
    const drift = report.checks.filter((c) => c.status === 'drift');
    expect(drift.map((c) => c.macro)).toEqual(['exOneAcc', 'exOneTarget', 'exTwoMse']); // 81 % is below the course's 85-90 %
    expect(drift[0]!.message).toBe('\\exOneAcc (exercise 1 test accuracy (%)): the paper says 87.7, reports/ex1/metrics.json test_accuracy now gives 81.0.');
  });

  it('accepts drift within a declared tolerance, and only within it', async () => {
    const decls: NumberDecl[] = [{ macro: 'acc', file: 'reports/ex1/metrics.json', path: 'test_accuracy', scale: 100, digits: 1, tolerance: 0.5, what: 'acc' }];
    await writeFile(path.join(root, 'n.tex'), (await generateNumbersTex(root, decls)).text);
    await editJson('reports/ex1/metrics.json', (d) => { d.test_accuracy = 0.8721; }); // 87.21 vs the printed 87.7: 0.49 away
    expect((await verifyNumbers(root, { decls, file: 'n.tex' })).ok).toBe(true);
    await editJson('reports/ex1/metrics.json', (d) => { d.test_accuracy = 0.8715; }); // 87.15: 0.55 away
    const r = await verifyNumbers(root, { decls, file: 'n.tex' });
    expect(r.ok).toBe(false);
    expect(r.checks[0]!.message).toContain('(tolerance 0.5)');
  });

  it('fails on a number the paper states whose source disappeared, a missing macro and an undeclared one', async () => {
    await writePaperInputs(root);
    const file = path.join(root, NUMBERS_TEX);
    const text = (await readFile(file, 'utf8')).replace(/\\newcommand\{\\exTwoMae\}.*\n/, '') + '\\newcommand{\\handTyped}{42}\n';
    await writeFile(file, text);
    await rm(path.join(root, 'reports/sweep-best/metrics.json'));
    const r = await verifyNumbers(root);
    const bad = Object.fromEntries(r.checks.filter((c) => c.status !== 'match').map((c) => [c.macro, c.status]));
    expect(bad).toEqual({ exTwoMae: 'missing-in-paper', sweepBestAcc: 'drift', sweepBestValAcc: 'drift', sweepBestLr: 'drift', sweepBestUnits: 'drift', handTyped: 'undeclared' });
  });

  it('fails on n/a for a number whose key is not pending', async () => {
    await writePaperInputs(root);
    const file = path.join(root, NUMBERS_TEX);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\\newcommand\{\\exOneFOne\}\{[^}]*\}/, '\\newcommand{\\exOneFOne}{n/a}'));
    await editJson('reports/ex1/metrics.json', (d) => { delete d.macro_f1; });
    const r = await verifyNumbers(root);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.macro === 'exOneFOne')).toMatchObject({ status: 'drift' });
  });

  it('`pipeline verify` exits 0 on a match and 1 on drift, naming the macro', async () => {
    await writePaperInputs(root);
    const cli = path.join(repo, 'bin/pipeline.js');
    const okRun = await run('node', [cli, '-C', root, 'verify'], { env: { ...process.env, NO_COLOR: '1' } });
    expect(okRun.stderr).toMatch(/✔ \d+ number\(s\) in paper\/generated\/numbers.tex match the current metrics/);
    await editJson('reports/ex2/metrics.json', (d) => { d.test_mae = 0.2; });
    const failed = await run('node', [cli, '-C', root, 'verify', '--json'], { env: { ...process.env, NO_COLOR: '1' } }).then(() => undefined, (e: unknown) => e as { code: number; stdout: string; stderr: string });
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('✖ \\exTwoMae (exercise 2 test MAE (normalised)): the paper says 0.168, reports/ex2/metrics.json test_mae now gives 0.200.');
    const doc = JSON.parse(failed?.stdout ?? '{}') as { ok: boolean; checks: { macro: string; status: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.checks.find((c) => c.macro === 'exTwoMae')?.status).toBe('drift');
  });
});
