/**
 * Exercise 1's model: input → GRU (every step's output) → additive attention pooling → dense.
 * The pooling scores each step with vᵀ tanh(W h_t + b) (Bahdanau et al. 2015's score with a
 * learned query folded into v; Yang et al. 2016's "attention pooling"), takes the softmax over
 * time and feeds the weighted sum of the GRU outputs to a softmax classifier. The weights over
 * time are what the exercise inspects.
 */
import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers/common.ts';
import { Model } from './model.ts';
import { type Rnn, makeRnn, runRnn } from './rnn.ts';
import type { NamedWeight } from './weights.ts';

/** Configuration of {@link GruAttentionClassifier}; saved next to the weights. */
export interface GruAttentionClassifierConfig {
  /** Features per time step. */
  inputDim: number;
  numClasses: number;
  /** GRU units. */
  units: number;
  /** Width of the attention score's hidden layer (default `units`). */
  attentionUnits?: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Global-norm gradient clip (default 5; 0 = off). */
  clipNorm?: number;
  seed: number;
}

/** Class probabilities and attention over time for a batch. */
export interface ClassifierOutput {
  /** (b, numClasses) */
  probs: Float32Array;
  /** (b, t) */
  attention: Float32Array;
}

/** A training batch: inputs (b, t, inputDim) and class ids (b). */
export interface ClassifierBatch {
  x: tf.Tensor3D;
  y: tf.Tensor1D;
}

/** See the file comment. */
export class GruAttentionClassifier extends Model<GruAttentionClassifierConfig, ClassifierBatch> {
  static readonly kind = 'gru-attention-classifier';
  readonly kind = GruAttentionClassifier.kind;
  private readonly rnn: Rnn;
  private readonly scoreKernel: tf.Variable;
  private readonly scoreBias: tf.Variable;
  private readonly scoreV: tf.Variable;
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;

  constructor(config: GruAttentionClassifierConfig) {
    super(config, { learningRate: config.learningRate, clipNorm: config.clipNorm ?? 5 });
    const a = config.attentionUnits ?? config.units;
    this.rnn = makeRnn('gru', config.units, { inputDim: config.inputDim, seed: this.store.nextSeed(), name: 'encoder/gru' });
    this.scoreKernel = this.store.create('attention/kernel', [config.units, a]);
    this.scoreBias = this.store.create('attention/bias', [a], 'zeros');
    this.scoreV = this.store.create('attention/v', [a, 1]);
    this.outKernel = this.store.create('output/kernel', [config.units, config.numClasses]);
    this.outBias = this.store.create('output/bias', [config.numClasses], 'zeros');
  }

  /** Rebuild from a saved config (the kind registry's entry point). */
  static fromConfig(config: GruAttentionClassifierConfig): GruAttentionClassifier {
    return new GruAttentionClassifier(config);
  }

  override weights(): NamedWeight[] {
    return [...this.rnn.weights(), ...this.store.weights()];
  }

  /** Logits (b, classes) and attention weights (b, t) for x (b, t, inputDim). */
  forward(x: tf.Tensor3D): { logits: tf.Tensor2D; attention: tf.Tensor2D } {
    return tf.tidy(() => {
      const { outputs } = runRnn(this.rnn, x);
      const scores = dense(tf.tanh(dense(outputs, this.scoreKernel, this.scoreBias)), this.scoreV).squeeze([2]);
      const attention = tf.softmax(scores, -1) as tf.Tensor2D;
      const context = tf.sum(tf.mul(outputs, attention.expandDims(2)), 1) as tf.Tensor2D;
      return { logits: dense(context, this.outKernel, this.outBias) as tf.Tensor2D, attention };
    });
  }

  /** Mean cross-entropy of the batch. */
  protected batchLoss(batch: ClassifierBatch): tf.Scalar {
    return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, this.config.numClasses), this.forward(batch.x).logits) as tf.Scalar;
  }

  /** Probabilities and attention for x (b, t, inputDim). */
  predict(x: tf.Tensor3D): ClassifierOutput {
    const [probs, attention] = tf.tidy(() => {
      const out = this.forward(x);
      return [tf.softmax(out.logits, -1), out.attention];
    });
    const result = { probs: probs!.dataSync() as Float32Array, attention: attention!.dataSync() as Float32Array };
    tf.dispose([probs, attention]);
    return result;
  }
}
