/**
 * Serving exercise 3's video model: an instance is a clip, `inputFrames` frames of `height`
 * rows of `width` pixel intensities in [0, 1] (nested lists, frame × row × column); a
 * prediction is the model's `outputFrames` frames in the same nesting. The counts and the size
 * come from the version's `serving.json`, never from this file, so a model that predicts future
 * frames from context frames is served as one that reconstructs its input is. The model is
 * anything with `predict((b, frames, pixels)) → flat (b · outputFrames · pixels)`.
 */
import * as tf from '@tensorflow/tfjs';
import type { VideoServing } from '../ml/artifacts/serving.ts';
import { HttpError, jsonType } from './errors.ts';

/** What the adapter needs of a model (exercise 3's `TemporalLatentModel`). */
export interface ClipModel {
  predict(x: tf.Tensor3D): Float32Array;
}

/** One prediction: frame × row × column. */
export type Clip = number[][][];

/** Checks instance `i` against the card's shape and range; returns its pixels, frame after frame, row-major. */
export function encodeClip(card: VideoServing, value: unknown, i: number): Float32Array {
  const { inputFrames: frames, height, width } = card;
  const list = (v: unknown, at: string, n: number, what: string): unknown[] => {
    if (!Array.isArray(v)) throw new HttpError(400, `${at} must be a list of ${n} ${what}, got ${jsonType(v)}.`);
    if (v.length !== n) throw new HttpError(400, `${at} has ${v.length} ${what}; the model reads exactly ${n} (a clip is ${frames} frames × ${height} rows × ${width} columns).`);
    return v;
  };
  const out = new Float32Array(frames * height * width);
  let k = 0;
  list(value, `instances[${i}]`, frames, 'frames').forEach((frame, f) => {
    list(frame, `instances[${i}][${f}]`, height, 'rows').forEach((row, r) => {
      list(row, `instances[${i}][${f}][${r}]`, width, 'pixels').forEach((x, c) => {
        // JSON has no NaN, but 1e999 parses to Infinity.
        if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 1) {
          throw new HttpError(400, `instances[${i}][${f}][${r}][${c}] must be a pixel intensity in [0, 1], got ${typeof x === 'number' ? String(x) : jsonType(x)}.`);
        }
        out[k++] = x;
      });
    });
  });
  return out;
}

/** One forward pass over a batch of clips. */
export function predictClips(model: ClipModel, card: VideoServing, inputs: readonly Float32Array[]): Clip[] {
  const pixels = card.height * card.width;
  const flat = new Float32Array(inputs.length * card.inputFrames * pixels);
  inputs.forEach((x, b) => flat.set(x, b * x.length));
  const x = tf.tensor3d(flat, [inputs.length, card.inputFrames, pixels]);
  let y: Float32Array;
  try {
    y = model.predict(x);
  } finally {
    x.dispose();
  }
  const frames = y.length / (inputs.length * pixels);
  // A saved model and its serving.json that disagree is the version's fault, not the request's.
  if (frames !== card.outputFrames) throw new HttpError(500, `The model answered ${frames} frames per clip; its serving.json says ${card.outputFrames}.`);
  return inputs.map((_, b) => Array.from({ length: frames }, (_, f) => Array.from({ length: card.height }, (_, r) => {
    const at = ((b * frames + f) * card.height + r) * card.width;
    return Array.from(y.subarray(at, at + card.width), (v) => Number(v.toPrecision(4)));
  })));
}
