import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../lib/report/data.ts';
import { EX3_DEFAULT, alignmentFigures, ex1Figures, ex2Figures, ex3Figures, theoryFigures, writeFigureSet } from '../../lib/report/sets.ts';
import { readPredictions } from '../../lib/ml/artifacts/index.ts';
import { readClassifierAttention } from '../../lib/report/readers.ts';
import { seq2seqFigures, spamFigures } from '../../lib/report/sets-seq.ts';
import { escapeTex } from '../../lib/report/pgf.ts';
import { encodeGrayPng } from '../../lib/report/png.ts';
import { makeReportsFixture } from './fixtures.ts';

let root: string;
beforeAll(async () => {
  root = await makeReportsFixture();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Text content of every <text> element of an SVG. */
const svgTexts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
  .map((m) => m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));

function expectValidSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const w = Number(/width="(\d+(\.\d+)?)"/.exec(svg)?.[1]);
  const h = Number(/height="(\d+(\.\d+)?)"/.exec(svg)?.[1]);
  expect(w).toBeGreaterThan(50);
  expect(h).toBeGreaterThan(50);
}

describe('figure sets from fixture data', () => {
  it('exercise 1: attention heatmap labelled by example and step, learning curves, confusion counts', async () => {
    const figs = await ex1Figures(root);
    expect(figs.map((f) => f.id)).toEqual(['ex1-attention', 'ex1-learning-curves', 'ex1-confusion']);
    const entries = await writeFigureSet(root, 'ex1', figs);
    expect(entries).toHaveLength(3);
    const svg = await readFile(path.join(root, 'reports/figures/ex1/ex1-attention.svg'), 'utf8');
    expectValidSvg(svg);
    const texts = svgTexts(svg);
    expect(texts).toContain('#12 event→bursts');
    expect(texts).toContain('input step');
    expect(texts).toContain('5'); // every 1st step labelled for 12 steps
    const confusion = svgTexts(await readFile(path.join(root, 'reports/figures/ex1/ex1-confusion.svg'), 'utf8'));
    expect(confusion).toEqual(expect.arrayContaining(['rising', 'bursts', 'event', '9', '8', 'predicted', 'actual']));
    const tex = await readFile(path.join(root, 'paper/generated/fig-ex1/ex1-attention.tex'), 'utf8');
    expect(tex).toContain('\\begin{tikzpicture}');
    expect(tex).toContain('matrix plot*');
    expect(tex).toContain('{\\#12 event>bursts}');
    const listed = JSON.parse(await readFile(path.join(root, 'reports/figures/ex1/figures.json'), 'utf8')) as { figures: { id: string; svg: string }[] };
    expect(listed.figures.map((f) => f.svg)).toEqual(['ex1-attention.svg', 'ex1-learning-curves.svg', 'ex1-confusion.svg']);
  });

  it('exercise 2 and theory: forecasts, horizon × input attention, log-scale d_k panels', async () => {
    await writeFigureSet(root, 'ex2', await ex2Figures(root));
    const forecasts = await readFile(path.join(root, 'reports/figures/ex2/ex2-forecasts.svg'), 'utf8');
    expectValidSvg(forecasts);
    expect(svgTexts(forecasts)).toEqual(expect.arrayContaining(['forecast', 'truth', 'input', 'window 7']));
    const attention = svgTexts(await readFile(path.join(root, 'reports/figures/ex2/ex2-attention.svg'), 'utf8'));
    expect(attention).toEqual(expect.arrayContaining(['t+1', 't+4', 'forecast step']));
    await writeFigureSet(root, 'theory', await theoryFigures(root));
    const theory = await readFile(path.join(root, 'reports/figures/theory/theory-scaling.svg'), 'utf8');
    expectValidSvg(theory);
    expect(svgTexts(theory)).toEqual(expect.arrayContaining(['max weight', 'unscaled', 'd_k']));
    const tex = await readFile(path.join(root, 'paper/generated/fig-theory/theory-scaling.tex'), 'utf8');
    expect(tex).toContain('xmode=log');
    expect(tex).toContain('$1/\\sqrt{d_k}$');
    expect(tex).not.toMatch(/[^\x00-\x7f]/); // pdfLaTeX-safe: no stray Unicode in the paper's pictures
  });

  it('exercise 3: frames montage as PNG (SVG + paper), error per frame, ablation bars', async () => {
    const figs = await ex3Figures(root, { ...EX3_DEFAULT, ablations: [...EX3_DEFAULT.ablations, { name: 'not-run', dir: 'reports/ex3-not-run' }] });
    await writeFigureSet(root, 'ex3', figs);
    const files = await readdir(path.join(root, 'paper/generated/fig-ex3'));
    expect(files.sort()).toEqual(['ablation.tex', 'ex3-frame-error.tex', 'ex3-frames.png', 'ex3-frames.tex', 'ex3-learning-curves.tex']);
    const png = await readFile(path.join(root, 'paper/generated/fig-ex3/ex3-frames.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // 2 context + 2 future frames of 8 px + 3 gaps of 2 px wide; truth + 2 models tall.
    expect(png.readUInt32BE(16)).toBe(4 * 8 + 3 * 2);
    expect(png.readUInt32BE(20)).toBe(3 * 8 + 2 * 2);
    const frames = await readFile(path.join(root, 'reports/figures/ex3/ex3-frames.svg'), 'utf8');
    expectValidSvg(frames);
    // Columns count from the last context frame: -1, 0 seen; +1, +2 predicted.
    expect(svgTexts(frames)).toEqual(expect.arrayContaining(['truth', 'improved', 'baseline', '-1', '0', '+1', '+2']));
    const horizon = svgTexts(await readFile(path.join(root, 'reports/figures/ex3/ex3-frame-error.svg'), 'utf8'));
    expect(horizon).toEqual(expect.arrayContaining(['baseline', 'full', 'no-memory', 'no-transformer', 'no-hierarchy']));
    expect(await readFile(path.join(root, 'paper/generated/fig-ex3/ex3-frames.tex'), 'utf8')).toContain('\\includegraphics[width=');
    const bars = svgTexts(await readFile(path.join(root, 'reports/figures/ex3/ablation.svg'), 'utf8'));
    expect(bars).toEqual(expect.arrayContaining(['full', 'no-memory', 'no-transformer', 'no-hierarchy', 'baseline', 'test mse', 'test mse late']));
    expect(bars).not.toContain('not-run');
    const pred = await readPredictions(path.join(root, 'reports/ex3-full/predictions.json'));
    expect(pred.clips[0]!.truth[1]![3 * 8 + 3]).toBeCloseTo(230 / 255, 5);
    expect(pred.clips[0]!.prediction[0]![3 * 8 + 4]).toBeCloseTo(240 / 255, 5); // future frame 2, plus the fixture's noise of 10
  });

  it('alignments: source and output characters label the axes; missing files are left out', async () => {
    const figs = await alignmentFigures(root, [{ name: 'additive', file: 'reports/translate/additive-lstm/attention.json' }, { name: 'none', file: 'reports/translate/none/attention.json' }], 'dates');
    expect(figs.map((f) => f.id)).toEqual(['dates-alignment']);
    await writeFigureSet(root, 'dates', figs);
    const texts = svgTexts(await readFile(path.join(root, 'reports/figures/dates/dates-alignment.svg'), 'utf8'));
    expect(texts).toEqual(expect.arrayContaining(['m', ',', '␣', '-', '</s>', 'source', 'target']));
  });

  it('translation matrix: bars of every member, the alignment of the best one', async () => {
    const figs = await seq2seqFigures(root, ['reports/translate', 'reports/translate-encoder'], { set: 'dates', label: 'Dates', metrics: ['test_exact_match', 'test_bleu'] });
    expect(figs.map((f) => f.id)).toEqual(['dates-bars', 'dates-alignment', 'dates-learning-curves']);
    expect(figs[1]!.title).toBe('Dates: alignment of translate/additive-lstm');
    await writeFigureSet(root, 'dates', figs);
    const bars = svgTexts(await readFile(path.join(root, 'reports/figures/dates/dates-bars.svg'), 'utf8'));
    expect(bars).toEqual(expect.arrayContaining(['translate/additive-lstm', 'translate/dot-lstm', 'translate/none', 'translate-encoder/lstm', 'test exact match']));
    expect(await seq2seqFigures(root, ['reports/nothing-here'], { set: 'g2p', label: 'G2P', metrics: ['a', 'b'] })).toEqual([]);
  });

  it('spam: bars, the confusion matrix of the best cell named ham/spam, attention over tokens (ASCII in TeX)', async () => {
    const figs = await spamFigures(root, 'reports/spam');
    expect(figs.map((f) => f.id)).toEqual(['spam-bars', 'spam-confusion', 'spam-attention']);
    await writeFigureSet(root, 'spam', figs);
    const confusion = svgTexts(await readFile(path.join(root, 'reports/figures/spam/spam-confusion.svg'), 'utf8'));
    expect(confusion).toEqual(expect.arrayContaining(['ham', 'spam', '50', '43']));
    const att = svgTexts(await readFile(path.join(root, 'reports/figures/spam/spam-attention.svg'), 'utf8'));
    expect(att).toEqual(expect.arrayContaining(['free', 'money', 'café']));
    const tex = await readFile(path.join(root, 'paper/generated/fig-spam/spam-attention.tex'), 'utf8');
    expect(tex).toContain('{caf?}');
    expect(tex).toContain('{\\$\\$\\$}');
  });
});

describe('readers and helpers', () => {
  it('a missing field is named with its file', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = path.join(root, 'bad-attention.json');
    await writeFile(file, JSON.stringify({ model: 'ex1', steps: 2, classes: ['a'], examples: [{ index: 0, label: 'a', predicted: 'a', signal: [0, 1], weights: [0.5, 'x'] }] }));
    const e = await readClassifierAttention(file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toBe(`${file}: field "examples[0].weights[1]" should be a finite number.`);
  });

  it('escapeTex escapes specials and keeps whole-maths labels', () => {
    expect(escapeTex('a_b 50% #1 & {x}')).toBe('a\\_b 50\\% \\#1 \\& \\{x\\}');
    expect(escapeTex('$d_k$')).toBe('$d_k$');
  });

  it('encodeGrayPng clamps values and rejects a wrong pixel count', () => {
    const png = encodeGrayPng([0, 0.5, 2, -1], 2, 2);
    expect(png.readUInt32BE(16)).toBe(2);
    expect(() => encodeGrayPng([0, 1, 0], 2, 2)).toThrow(/3 pixels for 2×2/);
  });
});
