/**
 * Serving exercise 1's classifier: an instance is a sequence of exactly `steps` steps, each a
 * list of `features` numbers (a bare number when `features` is 1); a prediction is the class
 * probabilities, and with `attention` `{probabilities, class, attention}` (one weight per step).
 */
import * as tf from '@tensorflow/tfjs';
import type { SequenceClassifierServing } from '../ml/artifacts/serving.ts';
import type { GruAttentionClassifier } from '../ml/models/gru-attention-classifier.ts';
import { HttpError } from './errors.ts';

/** One prediction. */
export interface ClassPrediction {
  probabilities: number[];
  class: string;
  attention?: number[];
}

/** Checks instance `i` and flattens it to `steps × features` numbers. */
export function encodeSequence(card: SequenceClassifierServing, value: unknown, i: number): Float32Array {
  if (!Array.isArray(value)) throw new HttpError(400, `instances[${i}] must be a list of ${card.steps} steps (${card.input}).`);
  if (value.length !== card.steps) throw new HttpError(400, `instances[${i}] has ${value.length} steps; the model reads exactly ${card.steps}.`);
  const out = new Float32Array(card.steps * card.features);
  value.forEach((step, t) => {
    const row = card.features === 1 && typeof step === 'number' ? [step] : step;
    if (!Array.isArray(row) || row.length !== card.features) throw new HttpError(400, `instances[${i}][${t}] must be a list of ${card.features} numbers.`);
    row.forEach((x, k) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new HttpError(400, `instances[${i}][${t}][${k}] must be a finite number, got ${JSON.stringify(x) ?? String(x)}.`);
      out[t * card.features + k] = x;
    });
  });
  return out;
}

/** One forward pass over a batch of sequences. */
export function predictSequences(model: GruAttentionClassifier, card: SequenceClassifierServing, inputs: readonly Float32Array[], withAttention: readonly boolean[]): ClassPrediction[] {
  const flat = new Float32Array(inputs.length * card.steps * card.features);
  inputs.forEach((x, k) => flat.set(x, k * x.length));
  const x = tf.tensor3d(flat, [inputs.length, card.steps, card.features]);
  try {
    const { probs, attention } = model.predict(x);
    const n = card.classes.length;
    return inputs.map((_, k) => {
      const p = Array.from(probs.subarray(k * n, (k + 1) * n), (v) => Number(v.toPrecision(4)));
      const best = p.indexOf(Math.max(...p));
      return {
        probabilities: p, class: card.classes[best] ?? String(best),
        ...(withAttention[k] ? { attention: Array.from(attention.subarray(k * card.steps, (k + 1) * card.steps), (v) => Number(v.toPrecision(4))) } : {}),
      };
    });
  } finally {
    x.dispose();
  }
}
