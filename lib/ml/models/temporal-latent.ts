/**
 * Exercise 3's temporal latent model for clips of frames, and its baseline and ablations as
 * switches of one class:
 *
 *   frames → per-frame encoder (MLP) → hierarchical temporal encoder (frame / segment / sequence)
 *   → sinusoidal positions + transformer encoder block (multi-head self-attention)
 *   → memory module (learned slots) → latent projection → LSTM → dense decoder → frames.
 *
 * The baseline is the same pipeline with the three middle modules switched off (per-frame
 * encoder, LSTM transition, decoder); each ablation switches off one. The per-frame encoder and
 * decoder are dense rather than convolutional: on the wasm backend a 32×32 frame's dense layers
 * cost a fraction of the conv stack's time for a similar reconstruction error, and they are what
 * brings the model into the course's 1–2 M parameter range.
 */
import * as tf from '@tensorflow/tfjs';
import { denseFast } from '../layers/dense-fast.ts';
import { HierarchicalTemporalEncoder } from '../layers/hierarchical-temporal-encoder.ts';
import { MemoryModule } from '../layers/memory-module.ts';
import { SinusoidalPositionEncoding } from '../layers/sinusoidal-position-encoding.ts';
import { TransformerEncoderBlock } from '../layers/transformer-encoder-block.ts';
import { FusedLSTM } from '../rnn/fused-lstm.ts';
import { type ObjectOf, count, num, oneOf } from '../params.ts';
import { Model } from './model.ts';

/** The improved model, the baseline, and the improved model without one module each. */
export const EX3_VARIANTS = ['baseline', 'full', 'no-memory', 'no-transformer', 'no-hierarchy'] as const;

/** One of {@link EX3_VARIANTS}. */
export type Ex3Variant = (typeof EX3_VARIANTS)[number];

/** True when `v` names a variant. */
export function isEx3Variant(v: string): v is Ex3Variant {
  return (EX3_VARIANTS as readonly string[]).includes(v);
}

/**
 * The architecture's params: declared once, here, as a param spec (`lib/ml/params.ts`) from which
 * both {@link TemporalLatentConfig} and exercise 3's `ex3` params (`EX3_PARAMS`) derive.
 */
export const TEMPORAL_LATENT_PARAMS = {
  /** Hidden width of the per-frame encoder and of the decoder. */
  frameUnits: count(),
  /** Width of the temporal modules (hierarchy, transformer, memory). */
  modelDim: count(),
  /** Width of the latent projection (the LSTM's input). */
  latentDim: count(),
  lstmUnits: count(),
  /** Heads of the transformer block (must divide modelDim). */
  heads: count(),
  /** Slots of the memory module. */
  memorySlots: count(),
  /** Window of the hierarchy's segment level; it also pools over twice this. */
  segmentLength: count(),
  /** Layer-norm placement in the transformer block: 'post' (the paper's) or 'pre' (Xiong et al. 2020). */
  transformerNorm: oneOf(['pre', 'post']),
  /** Dropout inside the transformer block while training. */
  dropout: num({ min: 0, max: 0.99 }),
};

/** Configuration of {@link TemporalLatentModel}; saved next to the weights. */
export type TemporalLatentConfig = ObjectOf<typeof TEMPORAL_LATENT_PARAMS> & {
  variant: Ex3Variant;
  /** Pixels per frame (size²). */
  pixels: number;
  learningRate: number;
  /** Global-norm gradient clip (0 = off). */
  clipNorm: number;
  seed: number;
};

/** Which modules a variant keeps. */
export function variantModules(v: Ex3Variant): { hierarchy: boolean; transformer: boolean; memory: boolean } {
  switch (v) {
    case 'baseline': return { hierarchy: false, transformer: false, memory: false };
    case 'full': return { hierarchy: true, transformer: true, memory: true };
    case 'no-memory': return { hierarchy: true, transformer: true, memory: false };
    case 'no-transformer': return { hierarchy: true, transformer: false, memory: true };
    case 'no-hierarchy': return { hierarchy: false, transformer: true, memory: true };
  }
}

/** See the file comment. Input and output clips are (b, frames, pixels) in [0, 1]. */
export class TemporalLatentModel extends Model<TemporalLatentConfig, tf.Tensor3D> {
  static readonly kind = 'temporal-latent';
  readonly kind = TemporalLatentModel.kind;
  private readonly enc: tf.Variable[];
  private readonly dec: tf.Variable[];
  private readonly latent: tf.Variable[];
  private readonly hierarchy?: HierarchicalTemporalEncoder;
  private readonly positions = new SinusoidalPositionEncoding();
  private readonly transformer?: TransformerEncoderBlock;
  private readonly memory?: MemoryModule;
  private readonly lstm: FusedLSTM;

  constructor(config: TemporalLatentConfig) {
    super(config, { learningRate: config.learningRate, clipNorm: config.clipNorm });
    const { pixels: p, frameUnits: f, modelDim: d, latentDim: z } = config;
    const s = this.store;
    const use = variantModules(config.variant);
    this.enc = [s.create('encoder/dense0/kernel', [p, f]), s.create('encoder/dense0/bias', [f], 'zeros'),
      s.create('encoder/dense1/kernel', [f, d]), s.create('encoder/dense1/bias', [d], 'zeros')];
    const seq: tf.Shape = [null, null, d];
    if (use.hierarchy) {
      this.hierarchy = s.adopt('hierarchy', new HierarchicalTemporalEncoder({
        units: d, segmentLength: config.segmentLength, scales: [2 * config.segmentLength], seed: s.nextSeed(),
      }), seq);
    }
    if (use.transformer) {
      this.transformer = s.adopt('transformer', new TransformerEncoderBlock({
        numHeads: config.heads, ffDim: 2 * d, seed: s.nextSeed(), normFirst: config.transformerNorm === 'pre', dropout: config.dropout,
      }), seq);
    }
    if (use.memory) this.memory = s.adopt('memory', new MemoryModule({ numSlots: config.memorySlots, seed: s.nextSeed() }), seq);
    this.latent = [s.create('latent/kernel', [d, z]), s.create('latent/bias', [z], 'zeros')];
    this.lstm = s.adopt('transition/lstm', new FusedLSTM({
      units: config.lstmUnits, returnSequences: true, recurrentActivation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: s.nextSeed() }),
      // glorot, not orthogonal: tfjs' orthogonal initialiser runs a slow QR in JS.
      recurrentInitializer: tf.initializers.glorotUniform({ seed: s.nextSeed() }),
    }), [null, null, z]);
    this.dec = [s.create('decoder/dense0/kernel', [config.lstmUnits, f]), s.create('decoder/dense0/bias', [f], 'zeros'),
      s.create('decoder/dense1/kernel', [f, p]), s.create('decoder/dense1/bias', [p], 'zeros')];
  }

  /** Rebuild from a saved config (the kind registry's entry point). */
  static fromConfig(config: TemporalLatentConfig): TemporalLatentModel {
    return new TemporalLatentModel(config);
  }

  /** Reconstruction (b, t, pixels) of clips x (b, t, pixels). */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => tf.sigmoid(this.logits(x)) as tf.Tensor3D);
  }

  /** Pre-sigmoid reconstruction: the loss is taken on these for numerical stability. */
  private logits(x: tf.Tensor3D, training = false): tf.Tensor3D {
    return tf.tidy(() => {
      const [e0, b0, e1, b1] = this.enc as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      let h = tf.relu(denseFast(tf.relu(denseFast(x, e0, b0)), e1, b1));
      if (this.hierarchy) h = (this.hierarchy.call(h, {}) as tf.Tensor[])[0]!;
      if (this.transformer) {
        const withPositions = this.positions.call(h, {}) as tf.Tensor;
        h = (this.transformer.call(withPositions, { training }) as tf.Tensor[])[0]!;
      }
      if (this.memory) h = (this.memory.call(h, {}) as tf.Tensor[])[0]!;
      const z = denseFast(h, this.latent[0]!, this.latent[1]!);
      const seq = this.lstm.call(z, {}) as tf.Tensor;
      const [d0, c0, d1, c1] = this.dec as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      return denseFast(tf.relu(denseFast(seq, d0, c0)), d1, c1) as tf.Tensor3D;
    });
  }

  /**
   * Per-pixel binary cross-entropy of the clips x (intensities as probabilities) against their
   * reconstruction. Cross-entropy rather than MSE: on mostly black frames MSE's gradient
   * vanishes once the output is the mean image, and training stalls there for many epochs.
   */
  protected batchLoss(x: tf.Tensor3D): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(x, this.logits(x, true)) as tf.Scalar;
  }

  /** Reconstruction of x as a flat array (b · t · pixels). */
  predict(x: tf.Tensor3D): Float32Array {
    const y = this.forward(x);
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  }
}
