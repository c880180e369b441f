/** Multi-head attention (self or cross) built from matMul/reshape/transpose — no einsum. */
import * as tf from '@tensorflow/tfjs';
import {
  type BaseLayerArgs, type Kwargs, dense, dotProductAttention, glorot, inputAt, lastDim, mergeHeads, shapeAt, splitHeads, toList,
} from './common.ts';
import { MultiInputLayer } from './multi-input-layer.ts';

/** Options of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionArgs extends BaseLayerArgs {
  numHeads: number;
  /** Width of each head's queries and keys. */
  keyDim: number;
  /** Width of each head's values. Default keyDim. */
  valueDim?: number;
  /** Width of the output projection. Default: the query width. */
  outputDim?: number;
  /** Biases on the four projections. Default true. */
  useBias?: boolean;
  /** Forbid attending to later keys. Default false. */
  causal?: boolean;
  /** Initialiser seed (deterministic weights). */
  seed?: number;
}

/** The projection weights of one multi-head attention (biases optional). */
export interface MultiHeadWeights {
  wq: tf.Tensor; wk: tf.Tensor; wv: tf.Tensor; wo: tf.Tensor;
  bq?: tf.Tensor; bk?: tf.Tensor; bv?: tf.Tensor; bo?: tf.Tensor;
}

/**
 * Pure multi-head attention: query (b,tq,dq), key (b,tk,dk), value (b,tk,dv), mask (b,tk) or
 * (b,tq,tk). Returns [output (b,tq,out), weights (b,h,tq,tk)]. Shared with the transformer
 * block and the memory module so they need no nested layers.
 */
export function multiHeadAttend(
  query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, w: MultiHeadWeights, numHeads: number,
  opts: { mask?: tf.Tensor; causal?: boolean } = {},
): [tf.Tensor, tf.Tensor] {
  const q = splitHeads(dense(query, w.wq, w.bq), numHeads);
  const k = splitHeads(dense(key, w.wk, w.bk), numHeads);
  const v = splitHeads(dense(value, w.wv, w.bv), numHeads);
  const [context, weights] = dotProductAttention(q, k, v, { scale: true, mask: opts.mask, causal: opts.causal ?? false });
  return [dense(mergeHeads(context), w.wo, w.bo), weights];
}

/**
 * MultiHead(Q, K, V) = Concat(head_1..head_h) W^O with head_i = Attention(Q W_i^Q, K W_i^K,
 * V W_i^V) — Vaswani et al. 2017, "Attention Is All You Need", §3.2.2.
 *
 * Inputs: a single tensor x (self-attention, no mask) or `[query (b,tq,dq), key (b,tk,dk),
 * value (b,tk,dv), mask?]` (self-attention with a mask: `[x, x, x, mask]`), mask (b,tk) or
 * (b,tq,tk), 1 = real. Outputs: `[output (b,tq,outputDim), weights (b,numHeads,tq,tk)]`.
 */
export class MultiHeadAttention extends MultiInputLayer {
  static readonly className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly outputDim: number | undefined;
  readonly useBias: boolean;
  readonly causal: boolean;
  readonly seed: number | undefined;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.valueDim = args.valueDim ?? args.keyDim;
    this.outputDim = args.outputDim;
    this.useBias = args.useBias ?? true;
    this.causal = args.causal ?? false;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const name = MultiHeadAttention.className;
    const self = !Array.isArray(inputShape[0]);
    const dq = lastDim(shapeAt(inputShape, 0, name), name);
    const dk = self ? dq : lastDim(shapeAt(inputShape, 1, name), name);
    const dv = self ? dq : lastDim(shapeAt(inputShape, 2, name), name);
    const h = this.numHeads;
    const out = this.outputDim ?? dq;
    const specs: [string, number, number][] = [
      ['query', dq, h * this.keyDim], ['key', dk, h * this.keyDim], ['value', dv, h * this.valueDim], ['output', h * this.valueDim, out],
    ];
    specs.forEach(([n, din, dout], i) => {
      this.w[`${n}_kernel`] = this.addWeight(`${n}_kernel`, [din, dout], 'float32', glorot(this.seed, i));
      if (this.useBias) this.w[`${n}_bias`] = this.addWeight(`${n}_bias`, [dout], 'float32', tf.initializers.zeros());
    });
    this.built = true;
  }

  /** Current weights as plain tensors (read inside a tidy). */
  private projections(): MultiHeadWeights {
    const r = (n: string): tf.Tensor | undefined => this.w[n]?.read();
    return {
      wq: r('query_kernel')!, wk: r('key_kernel')!, wv: r('value_kernel')!, wo: r('output_kernel')!,
      bq: r('query_bias'), bk: r('key_bias'), bv: r('value_bias'), bo: r('output_bias'),
    };
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const name = MultiHeadAttention.className;
      const query = inputAt(xs, 0, name);
      const key = xs.length === 1 ? query : inputAt(xs, 1, name);
      const value = xs.length === 1 ? query : inputAt(xs, 2, name);
      return multiHeadAttend(query, key, value, this.projections(), this.numHeads, { mask: xs[3], causal: this.causal });
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const name = MultiHeadAttention.className;
    const q = shapeAt(inputShape, 0, name);
    const k = Array.isArray(inputShape[0]) ? shapeAt(inputShape, 1, name) : q;
    const b = q[0] ?? null;
    const tq = q[1] ?? null;
    return [[b, tq, this.outputDim ?? q[2] ?? null], [b, this.numHeads, tq, k[1] ?? null]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, valueDim: this.valueDim,
      useBias: this.useBias, causal: this.causal,
    };
    if (this.outputDim !== undefined) config.outputDim = this.outputDim;
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(MultiHeadAttention);
