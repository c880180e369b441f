/** Trainable position embedding added to a sequence. */
import * as tf from '@tensorflow/tfjs';
import { type BaseLayerArgs, type Kwargs, inputAt, lastDim, shapeAt, toList } from './common.ts';

/** Options of {@link LearnedPositionEmbedding}. */
export interface LearnedPositionEmbeddingArgs extends BaseLayerArgs {
  /** Longest sequence the table covers. */
  maxLength: number;
  /** Initialiser seed (deterministic weights). */
  seed?: number;
}

/**
 * x + E[0..t) with a learned table E (maxLength, d) — Gehring et al. 2017, "Convolutional
 * Sequence to Sequence Learning", §3.1 (the position embeddings of fairseq's fconv).
 *
 * Inputs: x (b,t,d) with t ≤ maxLength, or `[x, mask]`, mask (b,t) 1 = real: padded steps stay
 * zero. Output: (b,t,d).
 */
export class LearnedPositionEmbedding extends tf.layers.Layer {
  static readonly className = 'LearnedPositionEmbedding';
  readonly maxLength: number;
  readonly seed: number | undefined;
  private table?: tf.LayerVariable;

  constructor(args: LearnedPositionEmbeddingArgs) {
    super(args);
    this.maxLength = args.maxLength;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = lastDim(shapeAt(inputShape, 0, LearnedPositionEmbedding.className), LearnedPositionEmbedding.className);
    const init = tf.initializers.randomNormal({ mean: 0, stddev: 0.02, ...(this.seed === undefined ? {} : { seed: this.seed }) });
    this.table = this.addWeight('embeddings', [this.maxLength, d], 'float32', init);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const x = inputAt(xs, 0, LearnedPositionEmbedding.className);
      const [, t, d] = x.shape as [number, number, number];
      if (t > this.maxLength) {
        throw new Error(`${LearnedPositionEmbedding.className}: sequence length ${t} exceeds maxLength ${this.maxLength}`);
      }
      const out = x.add(this.table!.read().slice([0, 0], [t, d]));
      const mask = xs[1];
      return mask === undefined ? out : out.mul(mask.expandDims(2));
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return Array.isArray(inputShape[0]) ? (inputShape[0] as tf.Shape) : (inputShape as tf.Shape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), maxLength: this.maxLength };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(LearnedPositionEmbedding);
