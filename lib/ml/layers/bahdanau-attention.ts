/** Bahdanau (additive) attention for encoder–decoder models. */
import * as tf from '@tensorflow/tfjs';
import {
  type BaseLayerArgs, type Kwargs, asSequence, dense, glorot, inputAt, lastDim, maskedSoftmax, shapeAt, toList,
} from './common.ts';
import { fusedAdditiveScores, fusedAdditiveScoresEnabled } from './fused-additive-scores.ts';
import { MultiInputLayer } from './multi-input-layer.ts';

/** Options of {@link BahdanauAttention}. */
export interface BahdanauAttentionArgs extends BaseLayerArgs {
  /** Width of the hidden layer inside the score. */
  units: number;
  /** Initialiser seed (deterministic weights). */
  seed?: number;
}

/**
 * Additive scores v ᵀ tanh(W1 q + W2 k [+ extra] + b) for q (b,tq,dq) and keys (b,tk,dk);
 * `extra` (b,tq,tk,u) lets coverage attention add its own term. Returns (b,tq,tk). Without
 * `extra` the tanh and the sum over u run as one fused op (fused-additive-scores.ts).
 */
export function additiveScores(
  q: tf.Tensor, keys: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, bias: tf.Tensor, v: tf.Tensor, extra?: tf.Tensor,
): tf.Tensor {
  return additiveScoresFrom(q, dense(keys, w2, bias), w1, v, extra);
}

/**
 * {@link additiveScores} with the keys already projected: `wk` = W2 k + b (b,tk,u). A decoder
 * projects the encoder outputs once per sequence and passes them to every step.
 */
export function additiveScoresFrom(q: tf.Tensor, wk: tf.Tensor, w1: tf.Tensor, v: tf.Tensor, extra?: tf.Tensor): tf.Tensor {
  if (extra === undefined && fusedAdditiveScoresEnabled()) {
    return fusedAdditiveScores(dense(q, w1) as tf.Tensor3D, wk as tf.Tensor3D, v);
  }
  const hidden0 = dense(q, w1).expandDims(2).add(wk.expandDims(1)); // (b,tq,tk,u)
  const hidden = extra === undefined ? hidden0 : hidden0.add(extra);
  return dense(tf.tanh(hidden), v).squeeze([3]);
}

/**
 * e_ij = vᵀ tanh(W1 s_{i-1} + W2 h_j + b), α = softmax(e), c_i = Σ_j α_ij h_j — Bahdanau, Cho &
 * Bengio 2015, "Neural Machine Translation by Jointly Learning to Align and Translate", §3.1.
 *
 * Inputs: `[query, memory, mask?]` with query (b,dq) for one decoder step or (b,tq,dq),
 * memory (b,tk,dm) used as keys and values, mask (b,tk) 1 = real. Outputs: `[context, weights]`,
 * (b,dm) and (b,tk) for a step query, else (b,tq,dm) and (b,tq,tk).
 */
export class BahdanauAttention extends MultiInputLayer {
  static readonly className = 'BahdanauAttention';
  readonly units: number;
  readonly seed: number | undefined;
  private w1?: tf.LayerVariable;
  private w2?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private v?: tf.LayerVariable;

  constructor(args: BahdanauAttentionArgs) {
    super(args);
    this.units = args.units;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const name = BahdanauAttention.className;
    const dq = lastDim(shapeAt(inputShape, 0, name), name);
    const dm = lastDim(shapeAt(inputShape, 1, name), name);
    this.w1 = this.addWeight('query_kernel', [dq, this.units], 'float32', glorot(this.seed, 0));
    this.w2 = this.addWeight('memory_kernel', [dm, this.units], 'float32', glorot(this.seed, 1));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.v = this.addWeight('v', [this.units, 1], 'float32', glorot(this.seed, 2));
    this.built = true;
  }

  /** W2 m + b for memory (b,tk,dm): pass it as `kwargs.projectedMemory` to reuse it across steps. */
  projectMemory(memory: tf.Tensor): tf.Tensor3D {
    return dense(memory, this.w2!.read(), this.bias!.read()) as tf.Tensor3D;
  }

  /** `kwargs.projectedMemory`: {@link projectMemory} of this call's memory, computed earlier. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const rawQuery = inputAt(xs, 0, BahdanauAttention.className);
      const memory = inputAt(xs, 1, BahdanauAttention.className);
      const wk = (kwargs?.['projectedMemory'] as tf.Tensor | undefined) ?? this.projectMemory(memory);
      const scores = additiveScoresFrom(asSequence(rawQuery), wk, this.w1!.read(), this.v!.read());
      const weights = maskedSoftmax(scores, xs[2]);
      const context = tf.matMul(weights, memory);
      return rawQuery.rank === 2 ? [context.squeeze([1]), weights.squeeze([1])] : [context, weights];
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const q = shapeAt(inputShape, 0, BahdanauAttention.className);
    const m = shapeAt(inputShape, 1, BahdanauAttention.className);
    const dm = m[m.length - 1] ?? null;
    return q.length === 2 ? [[q[0] ?? null, dm], [q[0] ?? null, m[1] ?? null]]
      : [[q[0] ?? null, q[1] ?? null, dm], [q[0] ?? null, q[1] ?? null, m[1] ?? null]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), units: this.units };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(BahdanauAttention);
