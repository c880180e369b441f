/** External memory of learned slots read by attention ("keyframe memory"). */
import * as tf from '@tensorflow/tfjs';
import {
  type BaseLayerArgs, type Kwargs, dense, dotProductAttention, glorot, inputAt, lastDim, shapeAt, toList,
} from './common.ts';

/** Options of {@link MemoryModule}. */
export interface MemoryModuleArgs extends BaseLayerArgs {
  /** Number of memory slots N. */
  numSlots: number;
  /** Initialiser seed (deterministic weights). */
  seed?: number;
}

/**
 * N learned slots M (N, d) read by scaled dot-product attention with the inputs as queries:
 * r_t = softmax((x_t W_q) Mᵀ / sqrt(d)) M, g_t = σ([x_t; r_t] W_g + b_g), y_t = x_t + g_t ⊙ r_t.
 * The read follows Sukhbaatar et al. 2015, "End-To-End Memory Networks", with learned slots in
 * place of stored facts (they act as learned "keyframes"); the gate is a highway-style gate
 * (Srivastava et al. 2015, "Highway Networks"): each step learns how much of the read to add.
 *
 * Inputs: x (b,t,d) or `[x, mask]`, mask (b,t) 1 = real: padded steps read nothing (y = x) and
 * their read weights are 0. Outputs: `[y (b,t,d), readWeights (b,t,N)]`.
 */
export class MemoryModule extends tf.layers.Layer {
  static readonly className = 'MemoryModule';
  readonly numSlots: number;
  readonly seed: number | undefined;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: MemoryModuleArgs) {
    super(args);
    this.numSlots = args.numSlots;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = lastDim(shapeAt(inputShape, 0, MemoryModule.className), MemoryModule.className);
    this.w.slots = this.addWeight('slots', [this.numSlots, d], 'float32', glorot(this.seed, 0));
    this.w.query_kernel = this.addWeight('query_kernel', [d, d], 'float32', glorot(this.seed, 1));
    this.w.gate_kernel = this.addWeight('gate_kernel', [2 * d, d], 'float32', glorot(this.seed, 2));
    this.w.gate_bias = this.addWeight('gate_bias', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const x = inputAt(xs, 0, MemoryModule.className);
      const mask = xs[1];
      const [b] = x.shape as [number];
      const slots = this.w.slots!.read();
      const memory = slots.expandDims(0).tile([b, 1, 1]); // (b,N,d): batch matMul needs equal ranks
      const [read, weights] = dotProductAttention(dense(x, this.w.query_kernel!.read()), memory, memory, { scale: true });
      const gate = tf.sigmoid(dense(tf.concat([x, read], -1), this.w.gate_kernel!.read(), this.w.gate_bias!.read()));
      let update = gate.mul(read);
      if (mask !== undefined) update = update.mul(mask.expandDims(2));
      return [x.add(update), mask === undefined ? weights : weights.mul(mask.expandDims(2))];
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const s = shapeAt(inputShape, 0, MemoryModule.className);
    return [s, [s[0] ?? null, s[1] ?? null, this.numSlots]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), numSlots: this.numSlots };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(MemoryModule);
