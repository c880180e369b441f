/**
 * Serving exercise 2's forecaster: an instance is the last `inputSteps` values of a series (raw
 * units); a prediction is the next `horizon` values (raw units), and with `attention` also the
 * horizon × input attention map. The normalisation and the relative shift are the saved ones.
 */
import * as tf from '@tensorflow/tfjs';
import type { ForecasterServing } from '../ml/artifacts/serving.ts';
import type { Seq2SeqForecaster } from '../ml/models/forecaster.ts';
import { HttpError } from './errors.ts';

/** One prediction. */
export interface ForecastPrediction {
  forecast: number[];
  attention?: number[][];
}

/** Checks instance `i`: exactly `inputSteps` finite numbers. */
export function encodeSeries(card: ForecasterServing, value: unknown, i: number): number[] {
  if (!Array.isArray(value)) throw new HttpError(400, `instances[${i}] must be a list of ${card.inputSteps} numbers (${card.input}).`);
  if (value.length !== card.inputSteps) throw new HttpError(400, `instances[${i}] has ${value.length} values; the model reads exactly ${card.inputSteps}.`);
  value.forEach((x, t) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new HttpError(400, `instances[${i}][${t}] must be a finite number, got ${JSON.stringify(x) ?? String(x)}.`);
  });
  return value as number[];
}

/** One forward pass over a batch of windows. */
export function predictSeries(model: Seq2SeqForecaster, card: ForecasterServing, inputs: readonly number[][], withAttention: readonly boolean[]): ForecastPrediction[] {
  const { mean, std } = card.norm;
  const windows = inputs.map((w) => w.map((v) => (v - mean) / std));
  const offsets = windows.map((w) => (card.relative ? w[w.length - 1]! : 0));
  const x = tf.tensor3d(windows.map((w, k) => w.map((v) => [v - offsets[k]!])));
  const out = model.predict(x);
  x.dispose();
  return inputs.map((_, k) => ({
    forecast: out.values[k]!.map((v) => Number(((v + offsets[k]!) * std + mean).toPrecision(6))),
    ...(withAttention[k] ? { attention: out.attention[k]!.map((r) => r.map((w) => Number(w.toPrecision(4)))) } : {}),
  }));
}
