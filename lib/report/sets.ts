/**
 * The figure sets the `figures-*` stages write: which files each reads and which figures it
 * draws. A set reads only its own experiment's files, so its stage reruns only when they change.
 *
 * Layout: `reports/figures/<set>/<id>.svg` + `figures.json` (the report), and
 * `paper/generated/fig-<set>/<id>.tex` (+ assets) (the paper).
 */
import path from 'node:path';
import { readEx3Metrics, readPredictions } from '../ml/artifacts/index.ts';
import { readJsonIfExists } from './data.ts';
import { type Figure, type FigureEntry, writeFigures } from './figure.ts';
import {
  alignmentFigure, classifierAttentionFigure, confusionFigure, forecastAttentionFigure, forecastsFigure, learningCurvesFigure, theoryFigure,
} from './figures/experiments.ts';
import { ablationFigure, frameErrorFigure, framesFigure } from './figures/frames.ts';
import {
  confusionOf, readAlignments, readClassifierAttention, readForecastAttention, readForecasts, readHistory, readMetrics, readTheory,
} from './readers.ts';

/** Where a set's outputs go, relative to the project root. */
export function setDirs(set: string): { svgDir: string; texDir: string } {
  return { svgDir: `reports/figures/${set}`, texDir: `paper/generated/fig-${set}` };
}

/** Renders `figures` into the set's two directories under `root`. */
export function writeFigureSet(root: string, set: string, figures: readonly Figure[]): Promise<FigureEntry[]> {
  const d = setDirs(set);
  return writeFigures(figures, { svgDir: path.join(root, d.svgDir), texDir: path.join(root, d.texDir) });
}

/** Exercise 1: attention heatmap, learning curves, confusion matrix (from `reports/ex1`). */
export async function ex1Figures(root: string, dir = 'reports/ex1'): Promise<Figure[]> {
  const p = (f: string) => path.join(root, dir, f);
  const history = await readHistory(p('history.json'));
  return [
    classifierAttentionFigure(await readClassifierAttention(p('attention.json'))),
    learningCurvesFigure([{ ...history, model: 'GRU + attention' }], 'ex1-learning-curves', 'Exercise 1: learning curves'),
    confusionFigure(confusionOf(await readMetrics(p('metrics.json'))), 'ex1-confusion', 'Exercise 1: confusion matrix'),
  ];
}

/** Exercise 2: forecasts against truth, attention map, learning curves (from `reports/ex2`). */
export async function ex2Figures(root: string, dir = 'reports/ex2'): Promise<Figure[]> {
  const p = (f: string) => path.join(root, dir, f);
  const history = await readHistory(p('history.json'));
  return [
    forecastsFigure(await readForecasts(p('forecasts.json'))),
    forecastAttentionFigure(await readForecastAttention(p('attention.json'))),
    learningCurvesFigure([{ ...history, model: 'Bi-LSTM + Bahdanau' }], 'ex2-learning-curves', 'Exercise 2: learning curves'),
  ];
}

/** The theory plot (from `reports/theory/scaling.json`). */
export async function theoryFigures(root: string, file = 'reports/theory/scaling.json'): Promise<Figure[]> {
  return [theoryFigure(await readTheory(path.join(root, file)))];
}

/** Where exercise 3's runs wrote: one reports directory per model/variant, in display order. */
export interface Ex3Inputs {
  /** The improved model's directory (predictions, metrics, history). */
  improved: { name: string; dir: string };
  /** The baseline's directory. */
  baseline: { name: string; dir: string };
  /** Ablation variants (label → directory), the full model included if it has its own run. */
  ablations: { name: string; dir: string }[];
  /** Metrics drawn as ablation bars (default test_mse, test_mse_late). */
  metrics?: string[];
}

/**
 * Exercise 3 as `stages/train-ex3.ts` writes it: `reports/ex3-<variant>/` for the baseline and
 * each member of the `ablate` matrix (`full` is the improved model).
 */
export const EX3_DEFAULT: Ex3Inputs = {
  improved: { name: 'improved', dir: 'reports/ex3-full' },
  baseline: { name: 'baseline', dir: 'reports/ex3-baseline' },
  ablations: ['full', 'no-transformer', 'no-memory', 'no-hierarchy'].map((v) => ({ name: v, dir: `reports/ex3-${v}` })),
};

/**
 * Exercise 3: predicted frames, error per predicted frame vs horizon (every variant that ran),
 * ablation bars, learning curves. Ablation members whose metrics do not exist (not run) are left out of the bars.
 */
export async function ex3Figures(root: string, inputs: Ex3Inputs = EX3_DEFAULT): Promise<Figure[]> {
  const p = (dir: string, f: string) => path.join(root, dir, f);
  const models = [inputs.improved, inputs.baseline];
  const preds = await Promise.all(models.map(async (m) => ({ name: m.name, pred: await readPredictions(p(m.dir, 'predictions.json')) })));
  const metricsOf = async (dir: string) => (await readMetrics(p(dir, 'metrics.json')));
  // Every variant that ran, the baseline first: the error-vs-horizon figure compares them all.
  const ran: { name: string; dir: string }[] = [];
  for (const a of [inputs.baseline, ...inputs.ablations]) if ((await readJsonIfExists(p(a.dir, 'metrics.json'))) !== undefined) ran.push(a);
  const perFrame = await Promise.all(ran.map(async (m) => ({ name: m.name, msePerFrame: (await readEx3Metrics(p(m.dir, 'metrics.json'))).test_mse_per_frame })));
  const wanted = inputs.metrics ?? ['test_mse', 'test_mse_late'];
  const bars = await Promise.all([...ran.filter((a) => a !== inputs.baseline), ...ran.filter((a) => a === inputs.baseline)].map(async (a) => {
    const md = await metricsOf(a.dir);
    const values: Record<string, number> = {};
    for (const m of wanted) {
      const v = md.f.optNum(md.doc[m]);
      if (v !== undefined) values[m] = v;
    }
    return { variant: a.name, values };
  }));
  const histories = await Promise.all(models.map(async (m) => ({ ...(await readHistory(p(m.dir, 'history.json'))), model: m.name })));
  return [
    framesFigure(preds, { texDir: `generated/${setDirs('ex3').texDir.replace(/^paper\/generated\//, '')}` }),
    frameErrorFigure(perFrame),
    ablationFigure(bars, wanted),
    learningCurvesFigure(histories, 'ex3-learning-curves', 'Exercise 3: learning curves'),
  ];
}

/**
 * Seq2seq alignments (dates, g2p): the first example of each attention file, labelled. Files
 * that do not exist are left out (a matrix member that was not run). The first figure is
 * `<set>-alignment` (what the paper includes), the others `<set>-alignment-<name>`.
 */
export async function alignmentFigures(root: string, files: readonly { name: string; file: string }[], set: string): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const f of files) {
    if ((await readJsonIfExists(path.join(root, f.file))) === undefined) continue;
    const first = (await readAlignments(path.join(root, f.file)))[0];
    if (!first) continue;
    const id = out.length === 0 ? `${set}-alignment` : `${set}-alignment-${f.name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}`;
    out.push(alignmentFigure(first, id, `Alignment: ${f.name}`));
  }
  return out;
}
