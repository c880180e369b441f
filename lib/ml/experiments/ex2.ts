/**
 * Exercise 2: multi-step forecasting of a noisy sine + trend (50 → 10 steps) with a Bi-LSTM
 * encoder, an LSTM decoder and Bahdanau attention (`Seq2SeqForecaster`). Keeps the weights of the
 * epoch with the lowest validation MSE; errors are on the z-normalised series (the generator's
 * training-split statistics), and also in the raw units for reference. By default the model
 * sees each window relative to its last value (see `relative`); metrics and saved forecasts are
 * always in the series' own (normalised) values.
 *
 * Outputs in `ctx.outDir`: `metrics.json`, `history.json`, `forecasts.json` (inputs, truth and
 * forecasts of the first test windows) and `attention.json` (their horizon × input maps).
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { type ForecastData, readSineTrend } from '../data/sine-trend.ts';
import { attentionStats } from '../metrics/attention.ts';
import { lastValueForecast, linearTrendForecast } from '../metrics/forecast-baselines.ts';
import { mae, mse } from '../metrics/regression.ts';
import { ATTENTION_KINDS, type AttentionKind } from '../models/attention-step.ts';
import { type ForecastBatch, Seq2SeqForecaster } from '../models/forecaster.ts';
import { batches, fit } from '../train/index.ts';
import { currentBackend } from './backend.ts';
import { type RunContext, gatherRows, writeJson } from './common.ts';
import { type Infer, type ParamCheck, bool, checkParams, count, fraction, obj, oneOf, optional } from '../params.ts';
import { SEED, TRAIN_FIELDS, fitSettings } from './train-params.ts';

/** The `ex2` section of pipeline.yaml: its one declaration, type and check alike. */
export const EX2_PARAMS = obj({
  /** Units of each encoder direction and of the decoder. */
  units: count(),
  /** The decoder's attention over the encoder outputs (default additive); 'none' decodes from the bridged state alone. */
  attention: optional(oneOf(ATTENTION_KINDS)),
  attentionUnits: count(),
  ...TRAIN_FIELDS,
  /** Teacher-forcing ratio during training (1 = always feed the true previous value). */
  teacherForcing: fraction(),
  /**
   * Feed windows relative to their last input value and add it back to the forecast; false
   * feeds the globally normalised values as they are.
   */
  relative: bool(),
  /** How many test windows to save with their attention. */
  forecastExamples: count(0),
});

/** The params of the `train-ex2` stage. */
export const EX2_STAGE_PARAMS = obj({ seed: SEED, ex2: EX2_PARAMS });
import { writeAttention, writeForecasts, writeHistory, writeMetrics, writeServing } from '../artifacts/index.ts';

/** Params of exercise 2 (`ex2` in pipeline.yaml, plus `seed` and the data bundle). */
export type Ex2Params = Infer<typeof EX2_PARAMS> & {
  seed: number;
  /** A bundle written by `writeSineTrend` (`data/sine-trend`). */
  dataDir: string;
};

/** Check a `train-ex2` stage's params (see `lib/ml/params.ts`). */
export const validateEx2Params = (raw: unknown): ParamCheck<Infer<typeof EX2_STAGE_PARAMS>> => checkParams(EX2_STAGE_PARAMS, raw);

/** What `metrics.json` holds. */
export interface Ex2Metrics {
  model: string;
  task: 'regression';
  /** On the normalised series. */
  test_mse: number;
  test_mae: number;
  val_mse: number;
  test_mse_raw: number;
  test_mae_raw: number;
  /** Test MSE of repeating each window's last value (normalised series). */
  baseline_last_mse: number;
  /** Test MSE of extrapolating the least-squares line through each input window. */
  baseline_linear_mse: number;
  /**
   * (noise / std)²: the expected MSE of a forecaster that knew the noiseless series exactly, since
   * the targets carry the generator's independent noise; no model can beat it on average.
   */
  noise_floor_mse: number;
  /** The decoder's attention kind ('none': the attention keys below describe uniform weights). */
  attention: AttentionKind;
  /** Mean number of input steps with weight above 0.05, over every (window, output step). */
  attention_span: number;
  /** Mean fewest input steps holding 90 % of the weight, over every (window, output step). */
  attention_mass_span: number;
  /** Mean attended input step (0-based), over every (window, output step). */
  avg_attention_position: number;
  /** Mean input step (0-based) of the largest weight, over every (window, output step). */
  attention_peak_position: number;
  /** Mean entropy (nats) of each output step's attention; ln(input_steps) is uniform. */
  attention_entropy: number;
  /** Test MSE per forecast step (1…horizon). */
  mse_per_step: number[];
  best_epoch: number;
  epochs: number;
  parameters: number;
  input_steps: number;
  horizon: number;
  /** Whether the model saw windows relative to their last value. */
  relative: boolean;
  train_windows: number;
  test_windows: number;
  backend: { name: string; version: string; package: string };
}

/** Result of {@link run}. */
export interface Ex2Result {
  metrics: Ex2Metrics;
}

/** What the model sees: inputs and targets, possibly relative to each window's last input value. */
interface ModelView {
  x: Float32Array;
  y: Float32Array;
  /** Added back to the model's outputs (0 for absolute windows). */
  offset: Float32Array;
  inputSteps: number;
  horizon: number;
  relative: boolean;
}

/**
 * With `relative`, each window is shifted so that its last input value is 0 (targets too) and
 * the forecast is shifted back: the model then learns the local shape, not the level, which the
 * trend carries outside the training range in a chronological split.
 */
function modelView(data: ForecastData, relative: boolean): ModelView {
  const { inputSteps: t, targetSteps: h } = data;
  const offset = new Float32Array(data.n);
  const x = Float32Array.from(data.x);
  const y = Float32Array.from(data.y);
  if (relative) {
    for (let i = 0; i < data.n; i++) {
      const last = data.x[i * t + t - 1]!;
      offset[i] = last;
      for (let k = 0; k < t; k++) x[i * t + k]! -= last;
      for (let k = 0; k < h; k++) y[i * h + k]! -= last;
    }
  }
  return { x, y, offset, inputSteps: t, horizon: h, relative };
}

function batchOf(v: ModelView, rows: readonly number[]): ForecastBatch & { x: tf.Tensor3D; y: tf.Tensor2D } {
  return {
    x: tf.tensor3d(gatherRows(v.x, v.inputSteps, rows), [rows.length, v.inputSteps, 1]),
    y: tf.tensor2d(gatherRows(v.y, v.horizon, rows), [rows.length, v.horizon]),
  };
}

/** Free-running forecasts (flat, n × horizon, offset added back) and attention (flat, n × horizon × input) for `idx`. */
function forecast(model: Seq2SeqForecaster, v: ModelView, idx: ArrayLike<number>): { values: Float32Array; attention: Float32Array } {
  const h = v.horizon;
  const values = new Float32Array(idx.length * h);
  const attention = new Float32Array(idx.length * h * v.inputSteps);
  let at = 0;
  for (const rows of batches(idx, 256)) {
    const x = tf.tensor3d(gatherRows(v.x, v.inputSteps, rows), [rows.length, v.inputSteps, 1]);
    const out = model.predict(x);
    x.dispose();
    out.values.forEach((row, r) => row.forEach((value, k) => (values[(at + r) * h + k] = value + v.offset[rows[r]!]!)));
    attention.set(out.attention.flat(2), at * h * v.inputSteps);
    at += rows.length;
  }
  return { values, attention };
}

/** Trains exercise 2's model and writes its outputs; see the file comment. */
export async function run(params: Ex2Params, ctx: RunContext): Promise<Ex2Result> {
  const backend = await currentBackend();
  const data = await readSineTrend(params.dataDir);
  const attention = params.attention ?? 'additive';
  const model = new Seq2SeqForecaster({
    horizon: data.targetSteps, units: params.units, attentionUnits: params.attentionUnits, attention,
    bidirectional: true, learningRate: params.lr, clipNorm: params.clipNorm, teacherForcingRatio: params.teacherForcing,
    seed: params.seed,
  });
  const view = modelView(data, params.relative);
  const truth = (idx: ArrayLike<number>): Float32Array => gatherRows(data.y, data.targetSteps, Array.from(idx));
  const valTruth = truth(data.split.val);
  const trained = fit(model, {
    ...fitSettings(params), examples: data.split.train, seed: params.seed, stream: 'ex2',
    batch: (rows) => batchOf(view, rows),
    validate: () => ({ val_mse: mse(valTruth, forecast(model, view, data.split.val).values) }),
    monitor: { metric: 'val_mse', mode: 'min' },
    onEpoch: ctx.onEpoch,
  });
  ctx.onTiming?.('train', trained.trainTimeS);

  const test = forecast(model, view, data.split.test);
  const testTruth = truth(data.split.test);
  const h = data.targetSteps;
  const raw = (v: Float32Array): Float32Array => v.map((z) => z * data.norm.std + data.norm.mean);
  const perStep = Array.from({ length: h }, (_, s) => {
    const pick = (v: Float32Array): number[] => Array.from({ length: data.split.test.length }, (_, i) => v[i * h + s]!);
    return mse(pick(testTruth), pick(test.values));
  });
  const att = attentionStats({ data: test.attention, cols: data.inputSteps });
  const testInputs = gatherRows(data.x, data.inputSteps, Array.from(data.split.test));
  const noise = data.options.noise / data.norm.std;
  const metrics: Ex2Metrics = {
    model: 'ex2',
    task: 'regression',
    test_mse: mse(testTruth, test.values),
    test_mae: mae(testTruth, test.values),
    val_mse: trained.bestValue,
    test_mse_raw: mse(raw(testTruth), raw(test.values)),
    test_mae_raw: mae(raw(testTruth), raw(test.values)),
    baseline_last_mse: mse(testTruth, lastValueForecast(testInputs, data.inputSteps, h)),
    baseline_linear_mse: mse(testTruth, linearTrendForecast(testInputs, data.inputSteps, h)),
    noise_floor_mse: noise * noise,
    attention,
    attention_span: att.span,
    attention_mass_span: att.massSpan,
    avg_attention_position: att.meanPosition,
    attention_peak_position: att.peakPosition,
    attention_entropy: att.entropy,
    mse_per_step: perStep,
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    parameters: model.parameterCount(),
    input_steps: data.inputSteps,
    horizon: h,
    relative: view.relative,
    train_windows: data.split.train.length,
    test_windows: data.split.test.length,
    backend,
  };

  // Spread the saved windows over the test span rather than taking neighbours that overlap.
  const shown = Math.min(params.forecastExamples, data.split.test.length);
  const picks = Array.from({ length: shown }, (_, k) => Math.floor((k * data.split.test.length) / shown));
  const examples = picks.map((i) => ({
    window: data.split.test[i]!,
    start: data.starts[data.split.test[i]!]!,
    input: Array.from(data.x.subarray(data.split.test[i]! * data.inputSteps, (data.split.test[i]! + 1) * data.inputSteps)),
    truth: Array.from(testTruth.subarray(i * h, (i + 1) * h)),
    forecast: Array.from(test.values.subarray(i * h, (i + 1) * h)),
  }));
  const maps = picks.map((i) => ({
    window: data.split.test[i]!,
    weights: Array.from({ length: h }, (_, s) =>
      Array.from(test.attention.subarray((i * h + s) * data.inputSteps, (i * h + s + 1) * data.inputSteps))),
  }));
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: 'ex2', best_epoch: trained.bestEpoch, epochs: trained.history });
  await writeForecasts(path.join(ctx.outDir, 'forecasts.json'), { model: 'ex2', norm: data.norm, input_steps: data.inputSteps, horizon: h, examples });
  await writeAttention(path.join(ctx.outDir, 'attention.json'), { model: 'ex2', input_steps: data.inputSteps, horizon: h, maps });
  if (ctx.modelDir !== undefined) {
    await model.save(ctx.modelDir);
    // What a user of the saved model must do around it: normalise with `norm`, then (relative)
    // subtract the window's last value from the input and add it to the forecast.
    await writeServing(ctx.modelDir, {
      kind: 'forecaster', model: 'ex2', input: `the last ${data.inputSteps} values of the series`, output: `the next ${h} values`,
      inputSteps: data.inputSteps, horizon: h, relative: view.relative, norm: data.norm,
    });
  }
  model.dispose();
  return { metrics };
}
