/**
 * The spam classifiers of the course's vanishing-gradient lesson: token embeddings → a recurrent
 * layer → a logistic output, with the recurrent layer one of
 *
 * - `bow-logistic`: no recurrence, the non-neural baseline: logistic regression on the mail's
 *   bag of words (token counts), logit = b + Σ_t w_{x_t} (Géron's SpamAssassin baseline);
 * - `simple-rnn`: Elman RNN, h_t = tanh(W x_t + U h_{t-1} + b);
 * - `lstm`: LSTM (the fused layer of lib/ml/rnn), classified from its last state;
 * - `lstm-attention`: LSTM outputs pooled by Luong et al. 2015's "general" attention with the
 *   last state as the query: a_t = softmax_t(h_tᵀ W_a h_T), c = Σ a_t h_t,
 *   h̃ = tanh(W_c [c; h_T]), logit = vᵀ h̃ + b.
 *
 * With `masked`, padding steps carry the state through unchanged (and get no attention), so the
 * last state is the one at each mail's real end; without, the model reads the padding like any
 * token and must carry the signal across it — which a simple RNN's gradients cannot.
 */
import * as tf from '@tensorflow/tfjs';
import { denseFast } from '../layers/dense-fast.ts';
import { FusedLSTM } from '../rnn/fused-lstm.ts';
import { simpleRnnSequence } from '../rnn/simple-rnn-op.ts';
import { Model } from './model.ts';

/** Recurrent layers compared. */
export const SPAM_CELLS = ['bow-logistic', 'simple-rnn', 'lstm', 'lstm-attention'] as const;

/** One of {@link SPAM_CELLS}. */
export type SpamCell = (typeof SPAM_CELLS)[number];

/** Configuration of {@link SpamClassifier}; saved next to the weights. */
export interface SpamClassifierConfig {
  cell: SpamCell;
  masked: boolean;
  vocabSize: number;
  embedDim: number;
  units: number;
  learningRate: number;
  /** Global-norm clip (0 = off). */
  clipNorm: number;
  seed: number;
}

/** A training batch: token ids (b, t), their padding mask (b, t) and 0/1 labels (b). */
export interface SpamBatch {
  ids: tf.Tensor2D;
  mask: tf.Tensor2D;
  y: tf.Tensor1D;
}

/** See the file comment. */
export class SpamClassifier extends Model<SpamClassifierConfig, SpamBatch> {
  static readonly kind = 'spam-classifier';
  readonly kind = SpamClassifier.kind;
  /** Token embeddings; the bag of words has one weight per token instead (`bow`). */
  private readonly embedding: tf.Variable | undefined;
  private readonly bow: tf.Variable | undefined;
  private readonly rnn: { kernel: tf.Variable; recurrent: tf.Variable; bias: tf.Variable } | undefined;
  private readonly lstm: FusedLSTM | undefined;
  private readonly attn: { score: tf.Variable; combine: tf.Variable } | undefined;
  private readonly out: { kernel: tf.Variable; bias: tf.Variable };

  constructor(config: SpamClassifierConfig) {
    super(config, { learningRate: config.learningRate, clipNorm: config.clipNorm });
    const { embedDim: e, units: u } = config;
    const s = this.store;
    if (config.cell === 'bow-logistic') {
      this.bow = s.create('bow/kernel', [config.vocabSize, 1], 'normal');
      this.out = { kernel: this.bow, bias: s.create('output/bias', [1], 'zeros') };
      return;
    }
    this.embedding = s.create('embedding', [config.vocabSize, e], 'normal');
    if (config.cell === 'simple-rnn') {
      this.rnn = { kernel: s.create('rnn/kernel', [e, u]), recurrent: s.create('rnn/recurrent_kernel', [u, u]), bias: s.create('rnn/bias', [u], 'zeros') };
    } else {
      const lstm = new FusedLSTM({
        units: u, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: s.nextSeed() }),
        recurrentInitializer: tf.initializers.glorotUniform({ seed: s.nextSeed() }),
      });
      this.lstm = s.adopt('lstm', lstm, [null, null, e]);
    }
    if (config.cell === 'lstm-attention') this.attn = { score: s.create('attention/kernel', [u, u]), combine: s.create('attention/combine', [2 * u, u]) };
    this.out = { kernel: s.create('output/kernel', [u, 1]), bias: s.create('output/bias', [1], 'zeros') };
  }

  /** Rebuild from a saved config (the kind registry's entry point). */
  static fromConfig(config: SpamClassifierConfig): SpamClassifier {
    return new SpamClassifier(config);
  }

  /** Logits (b) of "spam" for token ids (b, t) with lengths (b); plus attention (b, t) when used. */
  forward(ids: tf.Tensor2D, mask: tf.Tensor2D): { logits: tf.Tensor1D; attention?: tf.Tensor2D } {
    return tf.tidy(() => {
      const m = this.config.masked ? mask : undefined;
      if (this.bow) {
        // Σ over the counts of the bag = Σ over positions; unmasked, padding counts as a word.
        const w = tf.gather(this.bow, ids).reshape(ids.shape) as tf.Tensor2D;
        return { logits: tf.add(tf.sum(m ? tf.mul(w, m) : w, 1), this.out.bias) as tf.Tensor1D };
      }
      const x = tf.gather(this.embedding!, ids) as tf.Tensor3D;
      let outputs: tf.Tensor3D;
      let last: tf.Tensor2D;
      if (this.rnn) {
        ({ outputs, last } = this.simpleRnn(x, m));
      } else {
        const [o, h] = this.lstm!.call(x, m ? { mask: m as unknown as tf.serialization.ConfigDictValue } : {}) as [tf.Tensor3D, tf.Tensor2D];
        outputs = o;
        last = h;
      }
      let features = last;
      let attention: tf.Tensor2D | undefined;
      if (this.attn) {
        const query = tf.matMul(last, this.attn.score).expandDims(1); // (b,1,u)
        let scores = tf.sum(tf.mul(outputs, query), -1) as tf.Tensor2D; // (b,t)
        if (m) scores = tf.add(scores, tf.mul(tf.sub(1, m), -1e9));
        attention = tf.softmax(scores, -1);
        const context = tf.sum(tf.mul(outputs, attention.expandDims(2)), 1) as tf.Tensor2D;
        features = tf.tanh(denseFast(tf.concat([context, last], 1), this.attn.combine)) as tf.Tensor2D;
      }
      const logits = denseFast(features, this.out.kernel, this.out.bias).reshape([-1]) as tf.Tensor1D;
      return attention ? { logits, attention } : { logits };
    });
  }

  /**
   * The Elman recurrence as one fused op (lib/ml/rnn/simple-rnn-op.ts): a padded step carries the
   * state and outputs zero.
   */
  private simpleRnn(x: tf.Tensor3D, mask: tf.Tensor2D | undefined): { outputs: tf.Tensor3D; last: tf.Tensor2D } {
    const { kernel, recurrent, bias } = this.rnn!;
    const r = simpleRnnSequence(x, recurrent as tf.Tensor as tf.Tensor2D, tf.zeros([x.shape[0], this.config.units]), {
      mask, maskedOutput: 'zero', inputKernel: kernel as tf.Tensor as tf.Tensor2D, inputBias: bias as tf.Tensor as tf.Tensor1D,
    });
    return { outputs: r.outputs, last: r.h };
  }

  /** Mean binary cross-entropy of the batch. */
  protected batchLoss(batch: SpamBatch): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(batch.y, this.forward(batch.ids, batch.mask).logits) as tf.Scalar;
  }

  /** Spam probabilities (b) and, for the attention model, attention rows (b · t). */
  predict(ids: tf.Tensor2D, mask: tf.Tensor2D): { probs: Float32Array; attention?: Float32Array } {
    const out = this.forward(ids, mask);
    const p = tf.sigmoid(out.logits);
    const result = { probs: p.dataSync() as Float32Array, ...(out.attention ? { attention: out.attention.dataSync() as Float32Array } : {}) };
    tf.dispose([p, out.logits, out.attention]);
    return result;
  }
}
