/**
 * The spam classifiers of the course's vanishing-gradient lesson: token embeddings → a recurrent
 * layer → a logistic output, with the recurrent layer one of
 *
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
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FusedLSTM } from '../rnn/fused-lstm.ts';
import { simpleRnnSequence } from '../rnn/simple-rnn-op.ts';
import { clipByGlobalNorm } from '../models/train-utils.ts';
import { type HasWeights, type NamedWeight, WeightStore, saveWeights } from '../models/weights.ts';
import { denseFast } from './ex3-model.ts';

/** Recurrent layers compared. */
export const SPAM_CELLS = ['simple-rnn', 'lstm', 'lstm-attention'] as const;

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

/** See the file comment. */
export class SpamClassifier implements HasWeights {
  readonly config: SpamClassifierConfig;
  private readonly store: WeightStore;
  private readonly embedding: tf.Variable;
  private readonly rnn: { kernel: tf.Variable; recurrent: tf.Variable; bias: tf.Variable } | undefined;
  private readonly lstm: FusedLSTM | undefined;
  private readonly attn: { score: tf.Variable; combine: tf.Variable } | undefined;
  private readonly out: { kernel: tf.Variable; bias: tf.Variable };
  private readonly optimizer: tf.Optimizer;

  constructor(config: SpamClassifierConfig) {
    this.config = config;
    const { embedDim: e, units: u } = config;
    const s = (this.store = new WeightStore(config.seed));
    this.embedding = s.create('embedding', [config.vocabSize, e], 'normal');
    if (config.cell === 'simple-rnn') {
      this.rnn = { kernel: s.create('rnn/kernel', [e, u]), recurrent: s.create('rnn/recurrent_kernel', [u, u]), bias: s.create('rnn/bias', [u], 'zeros') };
    } else {
      const lstm = new FusedLSTM({
        units: u, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: s.nextSeed() }),
        recurrentInitializer: tf.initializers.glorotUniform({ seed: s.nextSeed() }),
      });
      lstm.build([null, null, e]);
      for (const w of lstm.trainableWeights) s.add(`lstm/${w.originalName}`, w.read() as tf.Variable);
      this.lstm = lstm;
    }
    if (config.cell === 'lstm-attention') this.attn = { score: s.create('attention/kernel', [u, u]), combine: s.create('attention/combine', [2 * u, u]) };
    this.out = { kernel: s.create('output/kernel', [u, 1]), bias: s.create('output/bias', [1], 'zeros') };
    this.optimizer = tf.train.adam(config.learningRate);
  }

  weights(): NamedWeight[] {
    return this.store.weights();
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.weights().reduce((n, w) => n + w.variable.size, 0);
  }

  /** Logits (b) of "spam" for token ids (b, t) with lengths (b); plus attention (b, t) when used. */
  forward(ids: tf.Tensor2D, mask: tf.Tensor2D): { logits: tf.Tensor1D; attention?: tf.Tensor2D } {
    return tf.tidy(() => {
      const x = tf.gather(this.embedding, ids) as tf.Tensor3D;
      const m = this.config.masked ? mask : undefined;
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

  /** One Adam step on the mean binary cross-entropy; returns the loss and the gradient's global norm. */
  trainStep(ids: tf.Tensor2D, mask: tf.Tensor2D, y: tf.Tensor1D): { loss: number; gradNorm: number } {
    const vars = this.weights().map((w) => w.variable);
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.losses.sigmoidCrossEntropy(y, this.forward(ids, mask).logits) as tf.Scalar), vars);
    const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
    const clipped = this.config.clipNorm > 0 ? clipByGlobalNorm(grads, this.config.clipNorm) : grads;
    this.optimizer.applyGradients(clipped);
    const result = { loss: value.dataSync()[0] ?? NaN, gradNorm: norm.dataSync()[0] ?? NaN };
    tf.dispose([value, grads, clipped, norm]);
    return result;
  }

  /** Spam probabilities (b) and, for the attention model, attention rows (b · t). */
  predict(ids: tf.Tensor2D, mask: tf.Tensor2D): { probs: Float32Array; attention?: Float32Array } {
    const out = this.forward(ids, mask);
    const p = tf.sigmoid(out.logits);
    const result = { probs: p.dataSync() as Float32Array, ...(out.attention ? { attention: out.attention.dataSync() as Float32Array } : {}) };
    tf.dispose([p, out.logits, out.attention]);
    return result;
  }

  /** A copy of every weight's current value. */
  snapshot(): Float32Array[] {
    return this.weights().map((w) => w.variable.dataSync().slice() as Float32Array);
  }

  /** Puts back values taken by {@link snapshot}. */
  restore(snap: readonly Float32Array[]): void {
    this.weights().forEach((w, i) => tf.tidy(() => w.variable.assign(tf.tensor(snap[i]!, w.variable.shape, 'float32'))));
  }

  /** Writes `config.json`, `weights.json` and `weights.bin` into `dir`. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'config.json'), `${JSON.stringify({ kind: 'spam-classifier', config: this.config }, null, 2)}\n`);
    await saveWeights(this, dir);
  }

  /** Releases the weights and the optimiser state. */
  dispose(): void {
    for (const w of this.weights()) w.variable.dispose();
    this.optimizer.dispose();
  }
}
