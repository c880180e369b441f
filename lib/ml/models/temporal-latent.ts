/**
 * Exercise 3's temporal latent model: it predicts the next `futureFrames` frames of a clip from its
 * first `contextFrames`, and its baseline and ablations are switches of one class:
 *
 *   context frames → per-frame encoder (MLP), then one learned "future" token per frame to predict
 *   → hierarchical temporal encoder (frame / segment / sequence), added to its input
 *   → sinusoidal positions + transformer encoder block (multi-head self-attention)
 *   → memory module (learned slots) → latent projection → LSTM over context + future steps
 *   → decoder at the future steps → predicted frames. The decoder draws a frame (dense) and, with
 *   `motionKernels` > 0, moves the previous frame by predicted displacement kernels and mixes the
 *   moved copies with the drawn frame per pixel ({@link TemporalLatentModel.move}).
 *
 * The future steps carry no frame, only the learned token: whatever the model knows about them it
 * must carry from the context through the LSTM's state (the baseline's only path) or, in the
 * improved model, read from the context directly through the hierarchy's pooled summaries and the
 * transformer's attention — the long-horizon paths the course's modules claim to add.
 *
 * The baseline is the same pipeline with the three middle modules switched off (per-frame
 * encoder, LSTM transition, decoder); each ablation switches off one. The per-frame encoder and
 * the drawing decoder are dense rather than convolutional: on the wasm backend a 32×32 frame's
 * dense layers cost a fraction of the conv stack's time, and they are what brings the model into
 * the course's 1–2 M parameter range. Drawing alone, though, stays near the mean image on
 * prediction (a dense layer must learn every glyph at every position); moving the last frame is
 * what a translation-equivariant decoder would give, at the cost of two 32×32 products per step.
 */
import * as tf from '@tensorflow/tfjs';
import { denseFast } from '../layers/dense-fast.ts';
import { HierarchicalTemporalEncoder } from '../layers/hierarchical-temporal-encoder.ts';
import { MemoryModule } from '../layers/memory-module.ts';
import { shiftCorrelation, shiftMix } from '../layers/shift-mix.ts';
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
  /**
   * Motion kernels per predicted frame (0 = the decoder draws every frame itself): each moves the
   * previous frame by a predicted displacement (`layers/shift-mix.ts`), and per-pixel masks mix
   * the moved copies with the drawn frame.
   */
  motionKernels: count(0),
  /** Largest displacement of a motion kernel, in pixels per frame. */
  motionRadius: count(1),
};

/** Configuration of {@link TemporalLatentModel}; saved next to the weights. */
export type TemporalLatentConfig = ObjectOf<typeof TEMPORAL_LATENT_PARAMS> & {
  variant: Ex3Variant;
  /** Frames the model sees ({@link TemporalLatentModel.predict}'s input length). */
  contextFrames: number;
  /** Frames it predicts after them (its output length). */
  futureFrames: number;
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

/**
 * See the file comment. Serving: {@link predict} takes context clips (b, contextFrames, pixels) and
 * returns the predicted frames (b, futureFrames, pixels), pixel intensities in [0, 1] (pixels =
 * size², row-major); a training batch is whole clips (b, contextFrames + futureFrames, pixels).
 */
export class TemporalLatentModel extends Model<TemporalLatentConfig, tf.Tensor3D> {
  static readonly kind = 'temporal-latent';
  readonly kind = TemporalLatentModel.kind;
  private readonly enc: tf.Variable[];
  private readonly dec: tf.Variable[];
  private readonly latent: tf.Variable[];
  /** The learned input of every future step (before positions are added). */
  private readonly futureToken: tf.Variable;
  /** LSTM state → motion kernel logits (absent without motion kernels). */
  private readonly motion: tf.Variable[];
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
    if (config.contextFrames < 1 || config.futureFrames < 1) throw new Error(`temporal-latent: contextFrames and futureFrames must be ≥ 1, got ${config.contextFrames} and ${config.futureFrames}`);
    this.futureToken = s.create('future/token', [d], 'zeros');
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
    // The drawn frame, then (with motion kernels) the mask logits of each kernel's copy and of the drawn frame.
    const outputs = config.motionKernels > 0 ? p * (config.motionKernels + 2) : p;
    this.dec = [s.create('decoder/dense0/kernel', [config.lstmUnits, f]), s.create('decoder/dense0/bias', [f], 'zeros'),
      s.create('decoder/dense1/kernel', [f, outputs]), s.create('decoder/dense1/bias', [outputs], 'zeros')];
    const taps = 2 * (2 * config.motionRadius + 1);
    this.motion = config.motionKernels > 0
      ? [s.create('decoder/motion/kernel', [config.lstmUnits + (2 * config.motionRadius + 1) ** 2, config.motionKernels * taps]), s.create('decoder/motion/bias', [config.motionKernels * taps], 'zeros')]
      : [];
  }

  /** Rebuild from a saved config (the kind registry's entry point). */
  static fromConfig(config: TemporalLatentConfig): TemporalLatentModel {
    return new TemporalLatentModel(config);
  }

  /** Predicted frames (b, futureFrames, pixels) after the context clips (b, contextFrames, pixels). */
  forward(context: tf.Tensor3D, training = false): tf.Tensor3D {
    const { contextFrames: c, futureFrames: f } = this.config;
    const [b, t] = context.shape;
    if (t !== c) throw new Error(`temporal-latent: expected ${c} context frames, got ${t}`);
    return tf.tidy(() => {
      const [e0, b0, e1, b1] = this.enc as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const seen = tf.relu(denseFast(tf.relu(denseFast(context, e0, b0)), e1, b1));
      const d = this.config.modelDim;
      let h = tf.concat([seen, this.futureToken.reshape([1, 1, d]).tile([b, f, 1])], 1);
      // Residual: the hierarchy's output is relu(·)·mask, and without the transformer's residual
      // and norm after it a dead relu there left the whole network constant (the mean-image plateau).
      if (this.hierarchy) h = h.add((this.hierarchy.call(h, {}) as tf.Tensor[])[0]!);
      if (this.transformer) {
        const withPositions = this.positions.call(h, {}) as tf.Tensor;
        h = (this.transformer.call(withPositions, { training }) as tf.Tensor[])[0]!;
      }
      if (this.memory) h = (this.memory.call(h, {}) as tf.Tensor[])[0]!;
      const z = denseFast(h, this.latent[0]!, this.latent[1]!);
      const seq = this.lstm.call(z, {}) as tf.Tensor;
      const future = seq.slice([0, c, 0], [b, f, this.config.lstmUnits]);
      const [d0, c0, d1, c1] = this.dec as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const out = denseFast(tf.relu(denseFast(future, d0, c0)), d1, c1);
      return this.config.motionKernels > 0 ? this.move(context, future, out) : tf.sigmoid(out) as tf.Tensor3D;
    });
  }

  /**
   * Frame by frame: move the previous frame (the last context frame, then the model's own last
   * prediction) by each step's motion kernels and mix the copies with the drawn frame per pixel.
   */
  private move(context: tf.Tensor3D, future: tf.Tensor, out: tf.Tensor): tf.Tensor3D {
    const { contextFrames: c, futureFrames: f, motionKernels: k, motionRadius: r, pixels: p } = this.config;
    const b = context.shape[0];
    const size = Math.round(Math.sqrt(p));
    const taps = 2 * r + 1;
    // Per step everything is a 2-D tensor cut along its last axis: wasm slices tensors of rank
    // 4–5 element by element, which made one training step ~5× slower than the dense decoder.
    const outs = tf.unstack(out, 1); // f × (b, (k+2)·p): drawn frame, then the k+1 mask logits
    // The kernels see the LSTM's state and the displacement between the last two context frames.
    const frameAt = (i: number): tf.Tensor2D => context.slice([0, i, 0], [b, 1, p]).reshape([b, p]) as tf.Tensor2D;
    const evidence = c > 1 ? shiftCorrelation(frameAt(c - 2), frameAt(c - 1), size, r) : tf.zeros([b, taps * taps]);
    const motionIn = tf.concat([future, evidence.reshape([b, 1, taps * taps]).add(tf.zeros([1, f, 1]))], 2);
    const motions = tf.unstack(denseFast(motionIn, this.motion[0]!, this.motion[1]!), 1); // f × (b, 2·k·taps)
    const cut = (v: tf.Tensor, j: number, width: number): tf.Tensor2D => v.slice([0, j * width], [b, width]) as tf.Tensor2D;
    let prev = context.slice([0, c - 1, 0], [b, 1, p]).reshape([b, p]) as tf.Tensor2D;
    const frames: tf.Tensor[] = [];
    for (let t = 0; t < f; t++) {
      const kernel = (j: number): tf.Tensor2D => tf.softmax(cut(motions[t]!, j, k * taps).reshape([b * k, taps])) as tf.Tensor2D;
      const moved = shiftMix(prev, kernel(0), kernel(1), size, r).reshape([b, k * p]);
      const sources = [...Array.from({ length: k }, (_, j) => cut(moved, j, p)), tf.sigmoid(cut(outs[t]!, 0, p))];
      // A per-pixel softmax over the sources, written elementwise on (b, p) tensors.
      const logits = sources.map((_, j) => cut(outs[t]!, j + 1, p));
      const top = logits.reduce((a, l) => tf.maximum(a, l));
      const weights = logits.map((l) => tf.exp(l.sub(top)));
      const total = weights.reduce((a, w) => a.add(w));
      prev = sources.reduce((a: tf.Tensor, s, j) => a.add(s.mul(weights[j]!)), tf.zerosLike(prev)).div(total) as tf.Tensor2D;
      frames.push(prev);
    }
    return tf.stack(frames, 1) as tf.Tensor3D;
  }

  /**
   * Per-pixel binary cross-entropy of a clip's future frames (intensities as probabilities)
   * against their prediction from its context frames. Cross-entropy rather than MSE: on mostly
   * black frames MSE's gradient vanishes once the output is the mean image, and training stalls there.
   */
  protected batchLoss(clips: tf.Tensor3D): tf.Scalar {
    const { contextFrames: c, futureFrames: f } = this.config;
    const [b, , p] = clips.shape;
    const context = clips.slice([0, 0, 0], [b, c, p]) as tf.Tensor3D;
    const future = clips.slice([0, c, 0], [b, f, p]);
    // On probabilities (the motion path mixes them, so there are no logits); ε keeps log finite.
    return tf.losses.logLoss(future, this.forward(context, true), undefined, 1e-6) as tf.Scalar;
  }

  /**
   * The serving entry point: predicted frames after `context` (b, contextFrames, pixels) as a flat
   * array (b · futureFrames · pixels), row-major, values in [0, 1].
   */
  predict(context: tf.Tensor3D): Float32Array {
    const y = this.forward(context);
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  }
}
