/** One transformer encoder block: self-attention and a position-wise feed-forward network. */
import * as tf from '@tensorflow/tfjs';
import { type BaseLayerArgs, type Kwargs, dense, glorot, inputAt, lastDim, layerNorm, shapeAt, toList } from './common.ts';
import { multiHeadAttend } from './multi-head-attention.ts';
import { deriveSeed } from '../random.ts';

/** Options of {@link TransformerEncoderBlock}. */
export interface TransformerEncoderBlockArgs extends BaseLayerArgs {
  numHeads: number;
  /** Inner width of the feed-forward network. */
  ffDim: number;
  /** Width of each head. Default: model width / numHeads. */
  keyDim?: number;
  /** Dropout rate on both sub-layer outputs, applied only when `training: true`. Default 0. */
  dropout?: number;
  /** true: pre-norm (x + f(LN(x))); false (default): post-norm LN(x + f(x)) as in the paper. */
  normFirst?: boolean;
  /** Layer-norm epsilon. Default 1e-6. */
  epsilon?: number;
  /** Seeds the initialisers and the dropout masks. */
  seed?: number;
}

/**
 * Encoder layer of Vaswani et al. 2017, "Attention Is All You Need", §3.1: multi-head
 * self-attention and a ReLU feed-forward network, each with dropout, a residual connection and
 * layer normalisation (post-norm as in the paper, or pre-norm after Xiong et al. 2020).
 *
 * Inputs: x (b,t,d) or `[x, mask]`, mask (b,t) 1 = real: padded keys get no attention, so real
 * steps do not depend on padding (outputs at padded steps are meaningless). Outputs:
 * `[y (b,t,d), weights (b,numHeads,t,t)]`. Call options: `{training: true}` enables dropout.
 */
export class TransformerEncoderBlock extends tf.layers.Layer {
  static readonly className = 'TransformerEncoderBlock';
  readonly numHeads: number;
  readonly ffDim: number;
  readonly keyDim: number | undefined;
  readonly dropout: number;
  readonly normFirst: boolean;
  readonly epsilon: number;
  readonly seed: number | undefined;
  private w: Record<string, tf.LayerVariable> = {};
  /** Advances per dropout draw so masks differ between calls yet repeat across runs. */
  private dropoutCalls = 0;

  constructor(args: TransformerEncoderBlockArgs) {
    super(args);
    this.numHeads = args.numHeads;
    this.ffDim = args.ffDim;
    this.keyDim = args.keyDim;
    this.dropout = args.dropout ?? 0;
    this.normFirst = args.normFirst ?? false;
    this.epsilon = args.epsilon ?? 1e-6;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = lastDim(shapeAt(inputShape, 0, TransformerEncoderBlock.className), TransformerEncoderBlock.className);
    const kd = this.keyDim ?? Math.max(1, Math.floor(d / this.numHeads));
    const hk = this.numHeads * kd;
    const kernels: [string, number, number][] = [
      ['query_kernel', d, hk], ['key_kernel', d, hk], ['value_kernel', d, hk], ['output_kernel', hk, d],
      ['ff1_kernel', d, this.ffDim], ['ff2_kernel', this.ffDim, d],
    ];
    kernels.forEach(([n, din, dout], i) => {
      this.w[n] = this.addWeight(n, [din, dout], 'float32', glorot(this.seed, i));
      const b = n.replace('kernel', 'bias');
      this.w[b] = this.addWeight(b, [dout], 'float32', tf.initializers.zeros());
    });
    for (const ln of ['ln1', 'ln2']) {
      this.w[`${ln}_gamma`] = this.addWeight(`${ln}_gamma`, [d], 'float32', tf.initializers.ones());
      this.w[`${ln}_beta`] = this.addWeight(`${ln}_beta`, [d], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const x = inputAt(xs, 0, TransformerEncoderBlock.className);
      const mask = xs[1];
      const training = kwargs?.training === true;
      const r = (n: string): tf.Tensor => this.w[n]!.read();
      const norm = (y: tf.Tensor, ln: string): tf.Tensor => layerNorm(y, r(`${ln}_gamma`), r(`${ln}_beta`), this.epsilon);
      const drop = (y: tf.Tensor): tf.Tensor => {
        if (!training || this.dropout <= 0) return y;
        const seed = this.seed === undefined ? undefined : deriveSeed(this.seed, `dropout/${++this.dropoutCalls}`);
        return tf.dropout(y, this.dropout, undefined, seed);
      };
      const attend = (y: tf.Tensor): [tf.Tensor, tf.Tensor] => multiHeadAttend(y, y, y, {
        wq: r('query_kernel'), wk: r('key_kernel'), wv: r('value_kernel'), wo: r('output_kernel'),
        bq: r('query_bias'), bk: r('key_bias'), bv: r('value_bias'), bo: r('output_bias'),
      }, this.numHeads, mask === undefined ? {} : { mask });
      const ffn = (y: tf.Tensor): tf.Tensor =>
        dense(tf.relu(dense(y, r('ff1_kernel'), r('ff1_bias'))), r('ff2_kernel'), r('ff2_bias'));

      if (this.normFirst) {
        const [a, weights] = attend(norm(x, 'ln1'));
        const h = x.add(drop(a));
        return [h.add(drop(ffn(norm(h, 'ln2')))), weights];
      }
      const [a, weights] = attend(x);
      const h = norm(x.add(drop(a)), 'ln1');
      return [norm(h.add(drop(ffn(h))), 'ln2'), weights];
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const s = shapeAt(inputShape, 0, TransformerEncoderBlock.className);
    return [s, [s[0] ?? null, this.numHeads, s[1] ?? null, s[1] ?? null]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(), numHeads: this.numHeads, ffDim: this.ffDim, dropout: this.dropout,
      normFirst: this.normFirst, epsilon: this.epsilon,
    };
    if (this.keyDim !== undefined) config.keyDim = this.keyDim;
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(TransformerEncoderBlock);
