/** Fixed sinusoidal position encoding added to a sequence. */
import * as tf from '@tensorflow/tfjs';
import { type BaseLayerArgs, type Kwargs, inputAt, toList } from './common.ts';

/** Options of {@link SinusoidalPositionEncoding}. */
export interface SinusoidalPositionEncodingArgs extends BaseLayerArgs {
  /** Wavelength base. Default 10000 (the paper's). */
  base?: number;
}

/**
 * The (t, d) table PE(pos, 2i) = sin(pos / base^{2i/d}), PE(pos, 2i+1) = cos(pos / base^{2i/d}).
 * Computed in float64 then rounded once, so every backend sees the same numbers.
 */
export function sinusoidTable(length: number, depth: number, base = 10000): tf.Tensor2D {
  const values = new Float32Array(length * depth);
  for (let pos = 0; pos < length; pos++) {
    for (let j = 0; j < depth; j++) {
      const angle = pos / Math.pow(base, (2 * Math.floor(j / 2)) / depth);
      values[pos * depth + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor2d(values, [length, depth]);
}

/**
 * x + PE — Vaswani et al. 2017, "Attention Is All You Need", §3.5. No weights, any length.
 *
 * Inputs: x (b,t,d) or `[x, mask]`, mask (b,t) 1 = real: padded steps stay zero instead of
 * carrying a position signal. Output: (b,t,d).
 */
export class SinusoidalPositionEncoding extends tf.layers.Layer {
  static readonly className = 'SinusoidalPositionEncoding';
  readonly base: number;

  constructor(args: SinusoidalPositionEncodingArgs = {}) {
    super(args);
    this.base = args.base ?? 10000;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const x = inputAt(xs, 0, SinusoidalPositionEncoding.className);
      const [, t, d] = x.shape as [number, number, number];
      const out = x.add(sinusoidTable(t, d, this.base));
      const mask = xs[1];
      return mask === undefined ? out : out.mul(mask.expandDims(2));
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return Array.isArray(inputShape[0]) ? (inputShape[0] as tf.Shape) : (inputShape as tf.Shape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), base: this.base };
  }
}
tf.serialization.registerClass(SinusoidalPositionEncoding);
