/**
 * Exercise 1's model: input → GRU (every step's output) → additive attention pooling → dense.
 * The pooling scores each step with vᵀ tanh(W h_t + b) (Bahdanau et al. 2015's score with a
 * learned query folded into v; Yang et al. 2016's "attention pooling"), takes the softmax over
 * time and feeds the weighted sum of the GRU outputs to a softmax classifier. The weights over
 * time are what the exercise inspects.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dense } from '../layers/common.ts';
import { type Rnn, makeRnn, runRnn } from '../models/rnn.ts';
import { clipByGlobalNorm } from '../models/train-utils.ts';
import { type HasWeights, type NamedWeight, WeightStore, loadWeights, saveWeights } from '../models/weights.ts';

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

/** See the file comment. */
export class GruAttentionClassifier implements HasWeights {
  readonly config: GruAttentionClassifierConfig;
  private readonly rnn: Rnn;
  private readonly store: WeightStore;
  private readonly scoreKernel: tf.Variable;
  private readonly scoreBias: tf.Variable;
  private readonly scoreV: tf.Variable;
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;
  private readonly optimizer: tf.Optimizer;

  constructor(config: GruAttentionClassifierConfig) {
    this.config = config;
    const a = config.attentionUnits ?? config.units;
    this.store = new WeightStore(config.seed);
    this.rnn = makeRnn('gru', config.units, { inputDim: config.inputDim, seed: this.store.nextSeed(), name: 'encoder/gru' });
    this.scoreKernel = this.store.create('attention/kernel', [config.units, a]);
    this.scoreBias = this.store.create('attention/bias', [a], 'zeros');
    this.scoreV = this.store.create('attention/v', [a, 1]);
    this.outKernel = this.store.create('output/kernel', [config.units, config.numClasses]);
    this.outBias = this.store.create('output/bias', [config.numClasses], 'zeros');
    this.optimizer = tf.train.adam(config.learningRate);
  }

  weights(): NamedWeight[] {
    return [...this.rnn.weights(), ...this.store.weights()];
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.weights().reduce((n, w) => n + w.variable.size, 0);
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

  /** One Adam step on a batch; returns its mean cross-entropy. */
  trainStep(x: tf.Tensor3D, y: tf.Tensor1D): number {
    const vars = this.weights().map((w) => w.variable);
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
      const onehot = tf.oneHot(y, this.config.numClasses);
      return tf.losses.softmaxCrossEntropy(onehot, this.forward(x).logits) as tf.Scalar;
    }), vars);
    const clipped = clipByGlobalNorm(grads, this.config.clipNorm ?? 5);
    this.optimizer.applyGradients(clipped);
    const loss = value.dataSync()[0] ?? NaN;
    tf.dispose([value, grads, clipped]);
    return loss;
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

  /** A copy of every weight's current value (to restore the best epoch later). */
  snapshot(): Map<string, Float32Array> {
    return new Map(this.weights().map((w) => [w.name, w.variable.dataSync().slice() as Float32Array]));
  }

  /** Puts back values taken by {@link snapshot}. */
  restore(snap: Map<string, Float32Array>): void {
    for (const w of this.weights()) {
      const v = snap.get(w.name);
      if (v) tf.tidy(() => w.variable.assign(tf.tensor(v, w.variable.shape, 'float32')));
    }
  }

  /** Writes `config.json`, `weights.json` and `weights.bin` into `dir`. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const doc = { kind: 'gru-attention-classifier', config: this.config };
    await writeFile(path.join(dir, 'config.json'), `${JSON.stringify(doc, null, 2)}\n`);
    await saveWeights(this, dir);
  }

  /** Rebuilds a model written by {@link GruAttentionClassifier.save}. */
  static async load(dir: string): Promise<GruAttentionClassifier> {
    const doc = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as { config: GruAttentionClassifierConfig };
    const model = new GruAttentionClassifier(doc.config);
    await loadWeights(model, dir);
    return model;
  }

  /** Releases the weights and the optimiser state. */
  dispose(): void {
    for (const w of this.weights()) w.variable.dispose();
    this.optimizer.dispose();
  }
}
