/**
 * The figures of each experiment, from the typed readers' data. Each builder is pure (data in,
 * `Figure` out) so tests can feed it fixtures; the figure stages do the reading and writing.
 */
import type { Figure } from '../figure.ts';
import type { Alignment, ClassifierAttention, Confusion, ForecastAttention, Forecasts, History, TheoryCurves } from '../readers.ts';
import { heatmapSpec, heatmapTex } from './heatmap.ts';
import { type LinePanel, linesSpec, linesTex } from './lines.ts';

const HALF = { width: '0.36\\linewidth', height: '3cm' };
const THIRD = { width: '0.24\\linewidth', height: '2.6cm' };

/** Exercise 1: attention over input steps, one row per test example (true → predicted class). */
export function classifierAttentionFigure(a: ClassifierAttention, id = 'ex1-attention', max = 12): Figure {
  const ex = a.examples.slice(0, max);
  const d = {
    rows: ex.map((e) => `#${e.index} ${e.label}→${e.predicted}`),
    cols: Array.from({ length: a.steps }, (_, t) => String(t)),
    values: ex.map((e) => e.weights),
    xTitle: 'input step', yTitle: 'test example (true→predicted)', valueTitle: 'weight',
    tickEvery: { x: a.steps > 20 ? 5 : 1 },
  };
  return {
    id, title: 'Exercise 1: attention over input steps',
    caption: `Attention weights of the GRU classifier on ${ex.length} test sequences (rows: example, true → predicted class; columns: time step).`,
    vegaLite: heatmapSpec(d, 'Exercise 1: attention over input steps', { w: 9, h: 14 }),
    tex: heatmapTex({ ...d, rows: d.rows.map((r) => r.replace('→', '>')) }, { width: '0.8\\linewidth', height: `${Math.max(2, ex.length * 0.32).toFixed(1)}cm` }),
  };
}

/** Exercise 2: which input steps each forecast step attends to (first saved window). */
export function forecastAttentionFigure(a: ForecastAttention, id = 'ex2-attention'): Figure {
  const map = a.maps[0];
  if (!map) throw new Error('forecast attention has no maps');
  const d = {
    rows: map.weights.map((_, s) => `t+${s + 1}`),
    cols: Array.from({ length: a.inputSteps }, (_, t) => String(t)),
    values: map.weights,
    xTitle: 'input step', yTitle: 'forecast step', valueTitle: 'weight', tickEvery: { x: a.inputSteps > 20 ? 5 : 1 },
  };
  return {
    id, title: 'Exercise 2: Bahdanau attention of the forecaster',
    caption: `Attention of each of the ${a.horizon} forecast steps over the ${a.inputSteps} input steps (test window ${map.window}).`,
    vegaLite: heatmapSpec(d, 'Exercise 2: forecast step × input step', { w: 9, h: 16 }),
    tex: heatmapTex(d, { width: '0.8\\linewidth', height: '2.6cm' }),
  };
}

/** Learning curves: training loss and every validation metric, one line per model. */
export function learningCurvesFigure(histories: readonly History[], id: string, title: string): Figure {
  const metricNames = [...new Set(histories.flatMap((h) => h.epochs.flatMap((e) => Object.keys(e.values))))];
  const panels: LinePanel[] = metricNames.map((m) => ({
    title: m.replace(/_/g, ' '), xTitle: 'epoch', yTitle: m.replace(/_/g, ' '),
    series: histories.map((h) => ({ name: h.model, points: h.epochs.filter((e) => e.values[m] !== undefined).map((e) => [e.epoch, e.values[m]!] as [number, number]) })),
  }));
  return {
    id, title,
    caption: `Training loss and validation metrics per epoch (${histories.map((h) => `${h.model}: best epoch ${h.bestEpoch ?? '—'}`).join('; ')}).`,
    vegaLite: linesSpec(title, panels),
    tex: linesTex(panels, panels.length > 2 ? THIRD : HALF),
  };
}

/** Exercise 2: the input window, the true continuation and the forecast, for a few windows. */
export function forecastsFigure(f: Forecasts, id = 'ex2-forecasts', max = 3): Figure {
  const panels: LinePanel[] = f.examples.slice(0, max).map((e) => {
    const n = e.input.length;
    return {
      title: `window ${e.window}`, xTitle: 'time step', yTitle: 'value (normalised)',
      series: [
        { name: 'input', points: e.input.map((v, t) => [t, v] as [number, number]) },
        { name: 'truth', points: e.truth.map((v, t) => [n + t, v] as [number, number]) },
        { name: 'forecast', points: e.forecast.map((v, t) => [n + t, v] as [number, number]), dashed: true },
      ],
    };
  });
  return {
    id, title: 'Exercise 2: forecasts against truth',
    caption: `Free-running ${f.examples[0]?.truth.length ?? 0}-step forecasts (dashed) against the true continuation, for ${panels.length} test windows.`,
    vegaLite: linesSpec('Exercise 2: forecasts against truth', panels, { width: 220, height: 150 }),
    tex: linesTex(panels, panels.length > 2 ? THIRD : HALF),
  };
}

/** Why 1/√d_k: entropy, max weight and gradient norm of scaled vs unscaled attention against d_k. */
export function theoryFigure(t: TheoryCurves, id = 'theory-scaling'): Figure {
  const stats: { key: string; label: string; yLog?: boolean }[] = [
    { key: 'entropy', label: 'softmax entropy (nats)' },
    { key: 'max_weight', label: 'max weight' },
    { key: 'grad_norm_q', label: '‖∂L/∂Q‖ per row', yLog: true },
  ];
  const panels: LinePanel[] = stats.filter((s) => t.scaled[s.key] && t.unscaled[s.key]).map((s) => ({
    title: s.label, xTitle: 'd_k', yTitle: s.label, xLog: true, ...(s.yLog ? { yLog: true } : {}),
    series: [
      { name: 'scaled (1/√d_k)', points: t.dims.map((d, i) => [d, t.scaled[s.key]![i]!] as [number, number]) },
      { name: 'unscaled', points: t.dims.map((d, i) => [d, t.unscaled[s.key]![i]!] as [number, number]), dashed: true },
    ],
  }));
  // The paper typesets the symbols (d_k, the gradient norm, 1/sqrt(d_k)) as maths.
  const texLabel = (s: string): string => (s.startsWith('‖') ? '$\\|\\partial L/\\partial Q\\|$' : s);
  const texPanels = panels.map((p) => ({
    ...p, title: texLabel(p.title), xTitle: '$d_k$', yTitle: texLabel(p.yTitle),
    series: p.series.map((s) => ({ ...s, name: s.name.startsWith('scaled') ? '$1/\\sqrt{d_k}$' : s.name })),
  }));
  return {
    id, title: 'Why 1/√d_k: scaled vs unscaled dot-product attention',
    caption: 'Averages over random Q, K for growing key dimension d_k: unscaled scores saturate the softmax (entropy → 0, max weight → 1) and the gradient vanishes; scaling keeps both stable.',
    vegaLite: linesSpec('Scaled vs unscaled dot-product attention', panels, { width: 200, height: 150 }),
    tex: linesTex(texPanels, THIRD),
  };
}

/** A confusion matrix with counts in the cells. */
export function confusionFigure(c: Confusion, id: string, title: string): Figure {
  const d = { rows: c.classes, cols: c.classes, values: c.matrix, xTitle: 'predicted', yTitle: 'actual', valueTitle: 'count', annotate: true, scheme: 'blues' };
  return {
    id, title,
    caption: `Confusion matrix on the test split (rows: actual class, columns: predicted; ${c.matrix.flat().reduce((a, b) => a + b, 0)} examples).`,
    vegaLite: heatmapSpec(d, title, { w: 48, h: 32 }),
    tex: heatmapTex(d, { width: `${Math.max(2, c.classes.length * 0.9).toFixed(1)}cm`, height: `${Math.max(2, c.classes.length * 0.7).toFixed(1)}cm` }),
  };
}

/** A seq2seq alignment (source characters × target characters), e.g. a date normalisation. */
export function alignmentFigure(a: Alignment, id: string, title: string): Figure {
  const show = (t: string) => (t === ' ' ? '␣' : t);
  const d = {
    rows: a.target.map(show), cols: a.source.map(show), values: a.weights,
    xTitle: 'source', yTitle: 'target', valueTitle: 'weight',
  };
  return {
    id, title,
    caption: `Attention alignment of "${a.source.join('').trim()}" → "${a.target.join('').trim()}" (rows: output characters, columns: input characters).`,
    vegaLite: heatmapSpec(d, title, { w: 14, h: 14 }),
    tex: heatmapTex({ ...d, rows: a.target.map((t) => (t === ' ' ? '_' : t)), cols: a.source.map((t) => (t === ' ' ? '_' : t)) },
      { width: `${Math.min(9, a.source.length * 0.3).toFixed(1)}cm`, height: `${Math.min(4.5, a.target.length * 0.3).toFixed(1)}cm` }),
  };
}

