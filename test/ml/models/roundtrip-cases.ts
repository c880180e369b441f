/**
 * One small model of every kind the pipeline trains (and the variants that build different
 * weights), each trained one step so that its weights are not the initial ones, and a probe:
 * what the model outputs on fixed inputs, as plain numbers. The round-trip test compares the
 * probe of the trained model with the probe a fresh process computes from the saved directory.
 */
import * as tf from '@tensorflow/tfjs';
import { Seq2SeqForecaster } from '../../../lib/ml/models/forecaster.ts';
import { GruAttentionClassifier } from '../../../lib/ml/models/gru-attention-classifier.ts';
import type { Model } from '../../../lib/ml/models/model.ts';
import { Seq2Seq, padTokens } from '../../../lib/ml/models/seq2seq.ts';
import { SPAM_CELLS, SpamClassifier } from '../../../lib/ml/models/spam-classifier.ts';
import { TemporalLatentModel } from '../../../lib/ml/models/temporal-latent.ts';

/** A deterministic input tensor of `shape` (no RNG: the child must rebuild it exactly). */
const ramp = (shape: number[], scale = 1): tf.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale), shape);
};
const ids = (rows: number, cols: number, vocab: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols - (r % 2) }, (_, c) => 3 + ((r * 5 + c * 3) % (vocab - 3))));
const flat = (...parts: (ArrayLike<number> | number[][] | number[][][])[]): number[] => parts.flatMap((p) => Array.from(p as ArrayLike<number>).flat(2) as number[]);

/** What the model outputs on the fixed inputs of its kind. */
export function probe(model: Model): number[] {
  if (model instanceof GruAttentionClassifier) {
    const x = ramp([3, 5, 2]) as tf.Tensor3D;
    const out = model.predict(x);
    x.dispose();
    return flat(out.probs, out.attention);
  }
  if (model instanceof Seq2SeqForecaster) {
    const out = model.predict(ramp([3, 6, 1]) as tf.Tensor3D);
    return flat(out.values, out.attention);
  }
  if (model instanceof Seq2Seq) {
    const src = ids(3, 5, model.config.srcVocab);
    const tgt = ids(3, 4, model.config.tgtVocab).map((r) => [...r, model.config.endToken]);
    const [s, t] = [padTokens(src, 0), padTokens(tgt, 0)];
    const loss = model.loss(s, t);
    const out = [loss.dataSync()[0]!, ...model.predict(src, 6).flat()];
    tf.dispose([s, t, loss]);
    return out;
  }
  if (model instanceof SpamClassifier) {
    const x = tf.tensor2d(ids(3, 6, model.config.vocabSize).map((r) => [...r, 0].slice(0, 6)), undefined, 'int32');
    const mask = tf.tidy(() => tf.notEqual(x, 0).toFloat()) as tf.Tensor2D;
    const out = model.predict(x, mask);
    tf.dispose([x, mask]);
    return flat(out.probs, out.attention ?? []);
  }
  if (model instanceof TemporalLatentModel) {
    const x = tf.tidy(() => tf.sigmoid(ramp([2, model.config.contextFrames, model.config.pixels], 3))) as tf.Tensor3D;
    const out = model.predict(x);
    x.dispose();
    return Array.from(out);
  }
  throw new Error(`no probe for model kind "${model.kind}"`);
}

/** A case: its name and a freshly built, one-step-trained model. */
export interface RoundTripCase {
  name: string;
  build(): Model;
}

const S2S = { srcVocab: 9, tgtVocab: 9, startToken: 1, endToken: 2, embedDim: 6, units: 8, seed: 5 };
const s2sBatch = { src: ids(4, 5, 9), tgt: ids(4, 4, 9).map((r) => [1, ...r, 2]) };
const temporal = (variant: 'baseline' | 'full') => ({
  variant, pixels: 16, frameUnits: 8, modelDim: 8, latentDim: 4, lstmUnits: 4, heads: 2, memorySlots: 3,
  segmentLength: 2, learningRate: 0.01, clipNorm: 5, seed: 4, contextFrames: 3, futureFrames: 2,
  // The full model also covers pre-norm, dropout (active in its one training step) and the motion kernels.
  transformerNorm: variant === 'full' ? 'pre' : 'post', dropout: variant === 'full' ? 0.1 : 0,
  motionKernels: variant === 'full' ? 2 : 0, motionRadius: 1,
}) as const;

/** Train one step on `batch` (disposed after) and return the model. */
function stepped<M extends Model<{ seed: number }, B>, B>(model: M, batch: () => B): M {
  const b = batch();
  model.trainStep(b);
  tf.dispose(b as tf.TensorContainer);
  return model;
}

export const CASES: RoundTripCase[] = [
  {
    name: 'gru-attention-classifier (ex1, sweep)',
    build: () => stepped(new GruAttentionClassifier({ inputDim: 2, numClasses: 3, units: 4, learningRate: 0.05, seed: 1 }),
      () => ({ x: ramp([4, 5, 2]) as tf.Tensor3D, y: tf.tensor1d([0, 1, 2, 1], 'int32') })),
  },
  {
    name: 'forecaster (ex2)',
    build: () => stepped(new Seq2SeqForecaster({ horizon: 3, units: 4, attentionUnits: 4, learningRate: 0.05, seed: 2 }),
      () => ({ x: ramp([4, 6, 1]) as tf.Tensor3D, y: ramp([4, 3]) as tf.Tensor2D })),
  },
  {
    name: 'seq2seq, Bi-LSTM + coverage (translate, g2p)',
    build: () => stepped(new Seq2Seq({ ...S2S, attention: 'coverage', coverageWeight: 0.1,
      encoder: { kind: 'rnn', cell: 'lstm', bidirectional: true, merge: 'sum' } }), () => s2sBatch),
  },
  {
    name: 'seq2seq, transformer encoder + multi-head (translate-encoder)',
    build: () => stepped(new Seq2Seq({ ...S2S, attention: 'multi-head', heads: 2, encoder: { kind: 'transformer', layers: 1, heads: 2 } }), () => s2sBatch),
  },
  {
    name: 'seq2seq, conv encoder (translate-encoder)',
    build: () => stepped(new Seq2Seq({ ...S2S, attention: 'general', encoder: { kind: 'conv', layers: 2, kernelSize: 3, hiddenDim: 8, maxLen: 8 } }), () => s2sBatch),
  },
  ...SPAM_CELLS.map((cell) => ({
    name: `spam-classifier ${cell} (spam)`,
    build: () => stepped(new SpamClassifier({ cell, masked: true, vocabSize: 12, embedDim: 4, units: 4, learningRate: 0.05, clipNorm: 5, seed: 3 }),
      () => ({ ids: tf.tensor2d([[3, 4, 5, 0], [6, 7, 0, 0]], undefined, 'int32'), mask: tf.tensor2d([[1, 1, 1, 0], [1, 1, 0, 0]]), y: tf.tensor1d([1, 0]) })),
  })),
  ...(['baseline', 'full'] as const).map((variant) => ({
    name: `temporal-latent ${variant} (ex3, ablate)`,
    build: () => stepped(new TemporalLatentModel(temporal(variant)), () => tf.tidy(() => tf.sigmoid(ramp([2, 5, 16]))) as tf.Tensor3D),
  })),
];
