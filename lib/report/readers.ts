/**
 * The views of the experiments' output files that the figures draw. The formats themselves
 * (types, writers, validating readers) are declared once in `lib/ml/artifacts`; these functions
 * read through them and reshape. Files without an artifact module (theory, compare, promotion)
 * are read here, checking only the fields the figures need.
 */
import path from 'node:path';
import * as artifacts from '../ml/artifacts/index.ts';
import { Fields, type Json, readJson } from './data.ts';

/** One learning curve: per epoch, every numeric column (`loss`, `val_accuracy`, …). */
export interface History {
  model: string;
  bestEpoch?: number;
  epochs: { epoch: number; values: Record<string, number> }[];
}

/** `history.json` (lib/ml/artifacts/history.ts) as per-epoch value maps. */
export async function readHistory(file: string): Promise<History> {
  const h = await artifacts.readHistory(file);
  const epochs = h.epochs.map(({ epoch, ...values }) => ({ epoch, values }));
  return { model: h.model, bestEpoch: h.best_epoch, epochs };
}

/** Attention of a classifier over its input steps, one row per test example. */
export interface ClassifierAttention {
  model: string;
  steps: number;
  examples: { index: number; label: string; predicted: string; weights: number[]; signal?: number[] }[];
}

/** Exercise 1's `attention.json` (lib/ml/artifacts/attention.ts). */
export async function readClassifierAttention(file: string): Promise<ClassifierAttention> {
  const a = await artifacts.readClassifierAttention(file);
  return { model: a.model, steps: a.steps, examples: a.examples };
}

/** Horizon × input attention maps of a forecaster. */
export interface ForecastAttention {
  inputSteps: number;
  horizon: number;
  maps: { window: number; weights: number[][] }[];
}

/** Exercise 2's `attention.json` (lib/ml/artifacts/attention.ts). */
export async function readForecastAttention(file: string): Promise<ForecastAttention> {
  const a = await artifacts.readForecastAttention(file);
  return { inputSteps: a.input_steps, horizon: a.horizon, maps: a.maps };
}

/** Forecast windows: the input, the true continuation and the model's forecast. */
export interface Forecasts {
  examples: { window: number; input: number[]; truth: number[]; forecast: number[] }[];
}

/** Exercise 2's `forecasts.json` (lib/ml/artifacts/forecasts.ts). */
export async function readForecasts(file: string): Promise<Forecasts> {
  const { examples } = await artifacts.readForecasts(file);
  return { examples: examples.map(({ window, input, truth, forecast }) => ({ window, input, truth, forecast })) };
}

/** Statistics of scaled vs unscaled dot-product attention per d_k. */
export interface TheoryCurves {
  dims: number[];
  maxEntropy?: number;
  /** statistic name → per d_k values. */
  scaled: Record<string, number[]>;
  unscaled: Record<string, number[]>;
}

/** The theory stage's `scaling.json`: `{dims, scaled: [{entropy, …}], unscaled: […]}`. */
export async function readTheory(file: string): Promise<TheoryCurves> {
  const f = new Fields(file);
  const doc = f.obj(await readJson(file), '(root)');
  const dims = f.nums(doc.dims, 'dims');
  const series = (key: 'scaled' | 'unscaled'): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    f.arr(doc[key], key).forEach((row, i) => {
      for (const [k, v] of Object.entries(f.obj(row, `${key}[${i}]`))) {
        if (typeof v === 'number') (out[k] ??= []).push(v);
      }
    });
    return out;
  };
  const maxEntropy = f.optNum(doc.max_entropy);
  return { dims, ...(maxEntropy !== undefined ? { maxEntropy } : {}), scaled: series('scaled'), unscaled: series('unscaled') };
}

/** A metrics file as parsed JSON plus the accessors bound to it. */
export interface MetricsDoc {
  file: string;
  doc: Record<string, Json>;
  f: Fields;
}

/** Any `metrics.json` (lib/ml/artifacts/metrics.ts: an object naming its model). */
export async function readMetrics(file: string): Promise<MetricsDoc> {
  return { file, doc: await artifacts.readMetrics(file), f: new Fields(file) };
}

/** A confusion matrix with class names (rows = actual, columns = predicted). */
export interface Confusion {
  classes: string[];
  matrix: number[][];
}

/** `confusion` (+ `per_class[].name`, `classes`, or the given `classes`) of a classifier's metrics. */
export function confusionOf(m: MetricsDoc, classes?: readonly string[]): Confusion {
  const matrix = m.f.matrix(m.doc.confusion, 'confusion');
  const names = classes && classes.length === matrix.length ? [...classes] : Array.isArray(m.doc.per_class)
    ? m.doc.per_class.map((c, i) => String((c as Record<string, Json> | null)?.name ?? i))
    : Array.isArray(m.doc.classes) ? m.doc.classes.map(String) : matrix.map((_, i) => String(i));
  return { classes: names, matrix };
}

/** A source × target attention alignment of a seq2seq model (dates, g2p). */
export interface Alignment {
  source: string[];
  target: string[];
  /** target × source weights. */
  weights: number[][];
}

/**
 * A seq2seq `attention.json` (translate, g2p; lib/ml/artifacts/attention.ts). The rows are what
 * the model emitted (`output`), which is what the weights belong to.
 */
export async function readAlignments(file: string): Promise<Alignment[]> {
  // Token lists may carry markers the weights do not; trust the weights' shape.
  const fit = (t: string[], n: number): string[] => Array.from({ length: n }, (_, k) => t[k] ?? '');
  return (await artifacts.readAlignments(file)).maps.map((m) => ({
    source: fit(m.source, m.weights[0]?.length ?? 0), target: fit(m.output, m.weights.length), weights: m.weights,
  }));
}

/** One row of `reports/compare.json` (see lib/ml/experiments/compare.ts). */
export interface CompareRow {
  model: string;
  task: string | null;
  primary: { metric: string; direction: string; value: number | null } | null;
  metrics: Record<string, number>;
  backend: string | null;
  trainTimeS: number | null;
  stage: string | null;
  fingerprint: string | null;
}

/** `reports/compare.json`: `{models: [...]}`. */
export async function readCompare(file: string): Promise<CompareRow[]> {
  const f = new Fields(file);
  const doc = f.obj(await readJson(file), '(root)');
  return f.arr(doc.models, 'models').map((m, i) => {
    const o = f.obj(m, `models[${i}]`);
    const p = o.primary && typeof o.primary === 'object' ? (o.primary as Record<string, Json>) : null;
    const metrics: Record<string, number> = {};
    if (o.metrics && typeof o.metrics === 'object') {
      for (const [k, v] of Object.entries(o.metrics as Record<string, Json>)) if (typeof v === 'number') metrics[k] = v;
    }
    return {
      model: f.str(o.model, `models[${i}].model`),
      task: f.optStr(o.task) ?? null,
      primary: p ? { metric: String(p.metric), direction: String(p.direction ?? 'max'), value: f.optNum(p.value) ?? null } : null,
      metrics,
      backend: f.optStr(o.backend) ?? null,
      trainTimeS: f.optNum(o.trainTimeS) ?? null,
      stage: f.optStr(o.stage) ?? null,
      fingerprint: f.optStr(o.fingerprint) ?? null,
    };
  });
}

/** One promotion decision of `reports/promotion.json`. */
export interface PromotionDecision {
  model: string;
  version: number | null;
  promoted: boolean;
  production: number | null;
  /** The member that made the production version (absent in promotion files before it was recorded). */
  productionMember: string | null;
  reason: string;
}

/**
 * Each task's production version after the whole promotion, once per task, in the order tasks
 * first appear: a task has one decision per candidate member (every `translate@…` member is a
 * candidate of `date-translator`), and the last one holds the final production.
 */
export function productionModels(decisions: readonly PromotionDecision[]): { model: string; version: number; member: string | null }[] {
  const last = new Map<string, PromotionDecision>();
  for (const d of decisions) last.set(d.model, d);
  return [...last.values()].flatMap((d) => (d.production === null ? [] : [{ model: d.model, version: d.production, member: d.productionMember }]));
}

/** `reports/promotion.json`: `{gates, decisions: [...]}`. */
export async function readPromotion(file: string): Promise<{ gates: Record<string, number>; decisions: PromotionDecision[] }> {
  const f = new Fields(file);
  const doc = f.obj(await readJson(file), '(root)');
  const gates: Record<string, number> = {};
  if (doc.gates && typeof doc.gates === 'object') {
    for (const [k, v] of Object.entries(doc.gates as Record<string, Json>)) if (typeof v === 'number') gates[k] = v;
  }
  const decisions = f.arr(doc.decisions, 'decisions').map((d, i) => {
    const o = f.obj(d, `decisions[${i}]`);
    return {
      model: f.str(o.model, `decisions[${i}].model`),
      version: f.optNum(o.version) ?? null,
      promoted: o.promoted === true,
      production: f.optNum(o.production) ?? null,
      productionMember: f.optStr(o.productionMember) ?? null,
      reason: f.optStr(o.reason) ?? '',
    };
  });
  return { gates, decisions };
}
