/** Scaled dot-product attention as a weightless tfjs layer. */
import * as tf from '@tensorflow/tfjs';
import { type BaseLayerArgs, type Kwargs, dotProductAttention, inputAt, shapeAt, toList } from './common.ts';
import { MultiInputLayer } from './multi-input-layer.ts';

/** Options of {@link ScaledDotProductAttention}. */
export interface ScaledDotProductAttentionArgs extends BaseLayerArgs {
  /** true (default): divide scores by sqrt(d_k); false: raw dot products (for the scaling experiment). */
  scale?: boolean;
  /** Forbid attending to later keys (key j > i + tk - tq). Default false. */
  causal?: boolean;
}

/**
 * Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d_k)) V — Vaswani et al. 2017, "Attention Is All
 * You Need", eq. 1.
 *
 * Inputs: `[query (b,tq,d), key (b,tk,d), value (b,tk,dv), mask?]`, mask (b,tk) or (b,tq,tk),
 * 1 = real, 0 = padding. Outputs: `[context (b,tq,dv), weights (b,tq,tk)]`.
 */
export class ScaledDotProductAttention extends MultiInputLayer {
  static readonly className = 'ScaledDotProductAttention';
  readonly scale: boolean;
  readonly causal: boolean;

  constructor(args: ScaledDotProductAttentionArgs = {}) {
    super(args);
    this.scale = args.scale ?? true;
    this.causal = args.causal ?? false;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const name = ScaledDotProductAttention.className;
      return dotProductAttention(inputAt(xs, 0, name), inputAt(xs, 1, name), inputAt(xs, 2, name), {
        scale: this.scale, mask: xs[3], causal: this.causal,
      });
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const name = ScaledDotProductAttention.className;
    const q = shapeAt(inputShape, 0, name);
    const k = shapeAt(inputShape, 1, name);
    const v = shapeAt(inputShape, 2, name);
    return [[q[0] ?? null, q[1] ?? null, v[2] ?? null], [q[0] ?? null, q[1] ?? null, k[1] ?? null]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale, causal: this.causal };
  }
}
tf.serialization.registerClass(ScaledDotProductAttention);
