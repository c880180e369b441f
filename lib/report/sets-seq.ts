/**
 * Figure sets of the matrix experiments (translation, grapheme → phoneme, spam): each reads
 * the run directories under one or more parents (`reports/translate/<member>/…`), so members
 * added to a matrix appear without code changes.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Figure } from './figure.ts';
import { alignmentFigure, confusionFigure, learningCurvesFigure } from './figures/experiments.ts';
import { ablationFigure } from './figures/frames.ts';
import { heatmapSpec, heatmapTex } from './figures/heatmap.ts';
import { Fields, readJsonIfExists } from './data.ts';
import { confusionOf, readAlignments, readHistory, readMetrics } from './readers.ts';

/** One run of a matrix: its display name and reports directory (relative to the root). */
export interface RunDir {
  name: string;
  dir: string;
}

/** Subdirectories of `parent` that hold a `metrics.json`, sorted by name. */
export async function scanRuns(root: string, parent: string): Promise<RunDir[]> {
  const entries = await readdir(path.join(root, parent), { withFileTypes: true }).catch(() => []);
  const out: RunDir[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.posix.join(parent, e.name);
    if (await stat(path.join(root, dir, 'metrics.json')).then(() => true, () => false)) out.push({ name: e.name, dir });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function values(root: string, runs: readonly RunDir[], keys: readonly string[]): Promise<{ variant: string; values: Record<string, number> }[]> {
  return Promise.all(runs.map(async (r) => {
    const m = await readMetrics(path.join(root, r.dir, 'metrics.json'));
    const v: Record<string, number> = {};
    for (const k of keys) {
      const x = m.f.optNum(m.doc[k]);
      if (x !== undefined) v[k] = x;
    }
    return { variant: r.name, values: v };
  }));
}

function best(rows: readonly { variant: string; values: Record<string, number> }[], key: string): string | undefined {
  let top: { variant: string; v: number } | undefined;
  for (const r of rows) {
    const v = r.values[key];
    if (v !== undefined && (top === undefined || v > top.v)) top = { variant: r.variant, v };
  }
  return top?.variant;
}

/**
 * A seq2seq matrix (dates): `metrics` of every run as bars, and the alignment and learning
 * curves of the run best on the first metric (`<set>-alignment`, what the paper includes).
 */
export async function seq2seqFigures(root: string, parents: readonly string[], opts: { set: string; label: string; metrics: [string, string] }): Promise<Figure[]> {
  // With several parents (translate/, translate-encoder/), names keep the parent to stay unique.
  const runs = (await Promise.all(parents.map(async (p) => (await scanRuns(root, p))
    .map((r) => (parents.length > 1 ? { ...r, name: `${path.posix.basename(p)}/${r.name}` } : r))))).flat();
  if (runs.length === 0) return [];
  const rows = await values(root, runs, opts.metrics);
  const top = runs.find((r) => r.name === best(rows, opts.metrics[0])) ?? runs[0]!;
  const figs: Figure[] = [ablationFigure(rows, opts.metrics, `${opts.set}-bars`, {
    title: `${opts.label}: every variant`,
    caption: `Test ${opts.metrics.map((m) => m.replace(/^test_/, '').replace(/_/g, ' ')).join(' and ')} (greedy decoding) of each attention/encoder variant.`,
  })];
  const att = path.join(root, top.dir, 'attention.json');
  if ((await readJsonIfExists(att)) !== undefined) {
    const first = (await readAlignments(att))[0];
    if (first) figs.push(alignmentFigure(first, `${opts.set}-alignment`, `${opts.label}: alignment of ${top.name}`));
  }
  const hist = path.join(root, top.dir, 'history.json');
  if ((await readJsonIfExists(hist)) !== undefined) {
    figs.push(learningCurvesFigure([{ ...(await readHistory(hist)), model: top.name }], `${opts.set}-learning-curves`, `${opts.label}: learning curves of ${top.name}`));
  }
  return figs;
}

/**
 * Spam: accuracy and F1 of every cell (with and without masks) as bars, the confusion matrix of
 * the run with the best F1, and the attention over the tokens of one mail.
 */
export async function spamFigures(root: string, parent: string, set = 'spam'): Promise<Figure[]> {
  const runs = await scanRuns(root, parent);
  if (runs.length === 0) return [];
  const rows = await values(root, runs, ['test_accuracy', 'test_f1']);
  const top = runs.find((r) => r.name === best(rows, 'test_f1')) ?? runs[0]!;
  const figs: Figure[] = [
    ablationFigure(rows, ['test_accuracy', 'test_f1'], `${set}-bars`, {
      title: 'Spam: every model', caption: 'Test accuracy and spam F1 of SimpleRNN, LSTM and LSTM + attention, with and without padding masks.',
    }),
    confusionFigure(confusionOf(await readMetrics(path.join(root, top.dir, 'metrics.json')), ['ham', 'spam']), `${set}-confusion`, `Spam: confusion matrix of ${top.name}`),
  ];
  for (const r of runs) {
    const file = path.join(root, r.dir, 'attention.json');
    const doc = await readJsonIfExists(file);
    if (doc === undefined) continue;
    const f = new Fields(file);
    const map = f.obj(f.arr(f.obj(doc, '(root)').maps, 'maps')[0], 'maps[0]');
    const weights = f.nums(map.weights, 'maps[0].weights').slice(0, 40);
    const tokens = f.arr(map.tokens, 'maps[0].tokens').map(String).slice(0, weights.length);
    const d = { rows: [r.name], cols: tokens, values: [weights], xTitle: 'token', yTitle: '', valueTitle: 'weight' };
    figs.push({
      id: `${set}-attention`, title: `Spam: attention of ${r.name} over a test mail`,
      caption: `Luong attention weights over the first ${weights.length} tokens of a test mail.`,
      vegaLite: heatmapSpec(d, 'attention over tokens', { w: 16, h: 24 }),
      tex: heatmapTex(d, { width: '0.9\\linewidth', height: '0.6cm' }),
    });
    break;
  }
  return figs;
}

/** Grapheme → phoneme (one run, `reports/g2p`): a letters × phonemes alignment and learning curves. */
export async function g2pFigures(root: string, dir = 'reports/g2p', set = 'g2p'): Promise<Figure[]> {
  const figs: Figure[] = [];
  const first = (await readAlignments(path.join(root, dir, 'attention.json')))[0];
  if (first) figs.push(alignmentFigure(first, `${set}-alignment`, 'Grapheme → phoneme: alignment'));
  const hist = path.join(root, dir, 'history.json');
  if ((await readJsonIfExists(hist)) !== undefined) {
    figs.push(learningCurvesFigure([{ ...(await readHistory(hist)), model: 'g2p' }], `${set}-learning-curves`, 'Grapheme → phoneme: learning curves'));
  }
  return figs;
}
