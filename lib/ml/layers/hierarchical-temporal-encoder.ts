/** Frame / segment / sequence encoder with multi-scale pooling, fused back to every step. */
import * as tf from '@tensorflow/tfjs';
import {
  type BaseLayerArgs, type Kwargs, dense, glorot, inputAt, lastDim, maskedSoftmax, shapeAt, toList,
} from './common.ts';

/** Options of {@link HierarchicalTemporalEncoder}. */
export interface HierarchicalTemporalEncoderArgs extends BaseLayerArgs {
  /** Feature width of every level and of the output. */
  units: number;
  /** Window length of the segment level. */
  segmentLength: number;
  /** Further window lengths for multi-scale pooling, pooled beside segmentLength. Default [2·segmentLength]. */
  scales?: number[];
  /** Initialiser seed (deterministic weights). */
  seed?: number;
}

/**
 * Masked mean over non-overlapping windows of `window` steps, repeated back over those steps:
 * f (b,t,u), m (b,t,1) → (b,t,u). A window with no real step pools to 0.
 */
export function windowMeanUpsampled(f: tf.Tensor, m: tf.Tensor, window: number): tf.Tensor {
  const [b, t, u] = f.shape as [number, number, number];
  const n = Math.ceil(t / window);
  const pad = n * window - t;
  const fp = tf.pad(f.mul(m), [[0, 0], [0, pad], [0, 0]]).reshape([b, n, window, u]);
  const mp = tf.pad(m, [[0, 0], [0, pad], [0, 0]]).reshape([b, n, window, 1]);
  const pooled = fp.sum(2).div(tf.maximum(mp.sum(2), 1)); // (b,n,u)
  return pooled.expandDims(2).tile([1, 1, window, 1]).reshape([b, n * window, u]).slice([0, 0, 0], [b, t, u]);
}

/**
 * A three-level temporal encoder in the spirit of hierarchical video/sequence encoders
 * (Pan et al. 2016, "Hierarchical Recurrent Neural Encoder for Video Representation"; the
 * multi-scale pooling follows temporal pyramid pooling, He et al. 2015, "Spatial Pyramid
 * Pooling"): frame level f_t = relu(W_f x_t + b); segment level: f mean-pooled over windows of
 * segmentLength and of each extra scale, relu(W_s · + b) per window length; sequence level: attention pooling over f
 * (a = softmax(fᵀ w_a)), relu(W_g · + b); the output at each step fuses all levels, upsampled
 * back to t steps: y_t = relu(W_o [f_t; s^1_t; …; g] + b) · mask_t.
 *
 * Inputs: x (b,t,d) or `[x, mask]`, mask (b,t) 1 = real, honoured by every pooling.
 * Outputs: `[features (b,t,units), poolWeights (b,t)]` (the sequence-level attention weights).
 */
export class HierarchicalTemporalEncoder extends tf.layers.Layer {
  static readonly className = 'HierarchicalTemporalEncoder';
  readonly units: number;
  readonly segmentLength: number;
  readonly scales: number[];
  /** segmentLength then the extra scales: every window the segment level pools over. */
  private readonly windows: number[];
  readonly seed: number | undefined;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: HierarchicalTemporalEncoderArgs) {
    super(args);
    this.units = args.units;
    this.segmentLength = args.segmentLength;
    this.scales = args.scales ?? [2 * args.segmentLength];
    this.windows = [args.segmentLength, ...this.scales];
    this.seed = args.seed;
    for (const s of this.windows) {
      if (!Number.isInteger(s) || s < 1) throw new Error(`${HierarchicalTemporalEncoder.className}: scale ${s} is not a positive integer`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = lastDim(shapeAt(inputShape, 0, HierarchicalTemporalEncoder.className), HierarchicalTemporalEncoder.className);
    const u = this.units;
    let i = 0;
    const kernel = (name: string, din: number, dout: number): void => {
      this.w[`${name}_kernel`] = this.addWeight(`${name}_kernel`, [din, dout], 'float32', glorot(this.seed, i++));
      this.w[`${name}_bias`] = this.addWeight(`${name}_bias`, [dout], 'float32', tf.initializers.zeros());
    };
    kernel('frame', d, u);
    this.windows.forEach((_, k) => kernel(`segment${k}`, u, u));
    this.w.pool_query = this.addWeight('pool_query', [u, 1], 'float32', glorot(this.seed, i++));
    kernel('sequence', u, u);
    kernel('fuse', u * (this.windows.length + 2), u);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const x = inputAt(xs, 0, HierarchicalTemporalEncoder.className);
      const [b, t] = x.shape as [number, number];
      const mask = xs[1] ?? tf.ones([b, t]);
      const m = mask.expandDims(2);
      const layer = (y: tf.Tensor, name: string): tf.Tensor =>
        tf.relu(dense(y, this.w[`${name}_kernel`]!.read(), this.w[`${name}_bias`]!.read()));

      const frame = layer(x, 'frame');
      const segments = this.windows.map((s, k) => layer(windowMeanUpsampled(frame, m, s), `segment${k}`));
      const scores = dense(frame, this.w.pool_query!.read()).squeeze([2]).expandDims(1); // (b,1,t)
      const poolWeights = maskedSoftmax(scores, mask).squeeze([1]); // (b,t)
      const summary = tf.matMul(poolWeights.expandDims(1), frame); // (b,1,u)
      const sequence = layer(summary, 'sequence').tile([1, t, 1]);
      const fused = layer(tf.concat([frame, ...segments, sequence], -1), 'fuse').mul(m);
      return [fused, poolWeights];
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const s = shapeAt(inputShape, 0, HierarchicalTemporalEncoder.className);
    return [[s[0] ?? null, s[1] ?? null, this.units], [s[0] ?? null, s[1] ?? null]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(), units: this.units, segmentLength: this.segmentLength, scales: this.scales,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(HierarchicalTemporalEncoder);
