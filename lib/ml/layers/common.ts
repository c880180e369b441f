/**
 * Helpers shared by the attention layers: masking, softmax over keys, seeded initialisers and
 * the small dense / layer-norm / head-splitting primitives the composite layers reuse instead
 * of nesting sub-layers (nested tfjs layers complicate weight tracking and serialisation).
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../random.ts';

/** Constructor options every tfjs layer accepts (name, trainable, inputShape…). */
export type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Extra call options passed as the second argument of `apply()` / `call()`. */
export type Kwargs = Record<string, unknown>;

/**
 * Large negative added to masked scores. Not -Infinity: a fully masked row must still give a
 * finite (uniform) softmax instead of NaN, and 0 * -Infinity would poison the gradient.
 */
export const MASK_VALUE = -1e9;

/** Normalise `Tensor | Tensor[]` (and symbolic inputs) to a list. */
export function toList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

/** Shape of the i-th input, failing loudly when the layer is called with too few inputs. */
export function shapeAt(shapes: tf.Shape | tf.Shape[], i: number, layer: string): tf.Shape {
  const list = Array.isArray(shapes[0]) || shapes.length === 0 ? (shapes as tf.Shape[]) : [shapes as tf.Shape];
  const s = list[i];
  if (s === undefined) throw new Error(`${layer}: expected at least ${i + 1} inputs, got ${list.length}`);
  return s;
}

/** Last dimension of a shape, which must be known to build weights. */
export function lastDim(shape: tf.Shape, layer: string): number {
  const d = shape[shape.length - 1];
  if (d == null) throw new Error(`${layer}: the last dimension of the input must be defined, got [${shape.join(', ')}]`);
  return d;
}

/** The i-th tensor of a call's inputs. */
export function inputAt(inputs: tf.Tensor[], i: number, layer: string): tf.Tensor {
  const t = inputs[i];
  if (t === undefined) throw new Error(`${layer}: expected at least ${i + 1} inputs, got ${inputs.length}`);
  return t;
}

/** Glorot-uniform initialiser for weight number `index` of a layer (same seed → same weights). */
export function glorot(seed: number | undefined, index: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform(seed === undefined ? {} : { seed: deriveSeed(seed, `init/${index}`) });
}

/**
 * Additive mask for scores of shape (b, tq, tk). `mask` is (b, tk) or (b, tq, tk) with
 * 1 = real token, 0 = padding; `causal` forbids key j > i + (tk - tq), which also covers
 * incremental decoding where the queries are the last tq of tk positions.
 */
export function maskScores(scores: tf.Tensor, mask: tf.Tensor | undefined, causal = false): tf.Tensor {
  let out = scores;
  if (mask !== undefined) {
    // (b, tk) or (b, tq, tk) broadcast against (b, …, tq, tk): insert unit axes after batch.
    const extra = scores.rank - mask.rank;
    const m = extra > 0 ? mask.reshape([mask.shape[0] ?? -1, ...Array<number>(extra).fill(1), ...mask.shape.slice(1)]) : mask;
    out = out.add(tf.scalar(1).sub(m.toFloat()).mul(MASK_VALUE));
  }
  if (causal) {
    const tq = scores.shape[scores.rank - 2] ?? 0;
    const tk = scores.shape[scores.rank - 1] ?? 0;
    out = out.add(causalBias(tq, tk));
  }
  return out;
}

/** (tq, tk) additive bias: 0 where key j ≤ i + (tk - tq), MASK_VALUE elsewhere. */
export function causalBias(tq: number, tk: number): tf.Tensor2D {
  const values = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) {
    for (let j = 0; j < tk; j++) if (j > i + (tk - tq)) values[i * tk + j] = MASK_VALUE;
  }
  return tf.tensor2d(values, [tq, tk]);
}

/** Softmax over the last axis after masking. */
export function maskedSoftmax(scores: tf.Tensor, mask: tf.Tensor | undefined, causal = false): tf.Tensor {
  return tf.softmax(maskScores(scores, mask, causal), -1);
}

/** x (..., din) · kernel (din, dout) + bias, for inputs of any rank ≥ 2. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const din = x.shape[x.rank - 1] ?? 0;
  const dout = kernel.shape[1] ?? 0;
  const lead = x.shape.slice(0, -1);
  let y: tf.Tensor = tf.matMul(x.reshape([-1, din]), kernel as tf.Tensor2D);
  if (bias !== undefined) y = y.add(bias);
  return y.reshape([...lead, dout]);
}

/** Layer normalisation over the last axis (Ba et al. 2016). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(epsilon).sqrt()).mul(gamma).add(beta);
}

/** (b, t, h·d) → (b, h, t, d). */
export function splitHeads(x: tf.Tensor, numHeads: number): tf.Tensor {
  const [b, t, hd] = x.shape as [number, number, number];
  return x.reshape([b, t, numHeads, hd / numHeads]).transpose([0, 2, 1, 3]);
}

/** (b, h, t, d) → (b, t, h·d). */
export function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [b, h, t, d] = x.shape as [number, number, number, number];
  return x.transpose([0, 2, 1, 3]).reshape([b, t, h * d]);
}

/**
 * Scaled dot-product attention on tensors whose leading axes are batch-like:
 * q (..., tq, d), k (..., tk, d), v (..., tk, dv); mask broadcasts against (..., tq, tk).
 * Returns [context (..., tq, dv), weights (..., tq, tk)].
 */
export function dotProductAttention(
  q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts: { scale: boolean; mask?: tf.Tensor; causal?: boolean },
): [tf.Tensor, tf.Tensor] {
  let scores = tf.matMul(q, k, false, true);
  if (opts.scale) scores = scores.mul(1 / Math.sqrt(q.shape[q.rank - 1] ?? 1));
  const weights = maskedSoftmax(scores, opts.mask, opts.causal ?? false);
  return [tf.matMul(weights, v), weights];
}

/** Rank-2 step queries (b, d) become (b, 1, d) so one code path serves steps and sequences. */
export function asSequence(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? x.expandDims(1) : x;
}
