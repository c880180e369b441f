/**
 * The two models and data sets of `pnpm bench:train` (bench/train.ts), shared with the
 * kernel-level profile (bench/profile-train.ts); bench/torch_reference.py mirrors them.
 */
import * as tf from '@tensorflow/tfjs';
import { generateSineTrend } from '../../lib/ml/data/sine-trend.ts';
import { generateSyntheticSequences } from '../../lib/ml/data/synthetic-sequences.ts';
import { BahdanauAttention } from '../../lib/ml/layers/bahdanau-attention.ts';
import { deriveSeed, seededInit } from '../../lib/ml/random.ts';
import { FusedGRU, FusedLSTM } from '../../lib/ml/rnn/index.ts';

/** Batch size and recurrent width of both models. */
export const batchSize = 32;
export const units = 64;
export type ModelName = 'gru-attn' | 'bilstm-s2s';
export type Impl = 'fused' | 'stock';

/** Inputs and targets of one model, as flat arrays (shared with the PyTorch script). */
export interface BenchData {
  x: Float32Array; // n × steps × 1
  decIn?: Float32Array; // n × 10 × 1 (teacher forcing: last input, then y0…y8)
  y: Float32Array; // class ids, or n × 10
  steps: number;
  outSteps?: number;
}

/** The model's data set: `n` samples from generator seed `seed`. */
export function makeData(model: ModelName, n: number, seed: number): BenchData {
  if (model === 'gru-attn') {
    const d = generateSyntheticSequences({ n, steps: 50, features: 1, seed });
    return { x: d.x, y: Float32Array.from(d.y), steps: 50 };
  }
  const d = generateSineTrend({ length: Math.max(2000, 2 * n), inputSteps: 50, targetSteps: 10, seed });
  const m = Math.min(n, d.n);
  const x = d.x.slice(0, m * 50);
  const y = d.y.slice(0, m * 10);
  const decIn = new Float32Array(m * 10);
  for (let i = 0; i < m; i++) {
    decIn[i * 10] = x[i * 50 + 49] as number;
    for (let k = 1; k < 10; k++) decIn[i * 10 + k] = y[i * 10 + k - 1] as number;
  }
  return { x, decIn, y, steps: 50, outSteps: 10 };
}

function rnnLayer(kind: 'lstm' | 'gru', impl: Impl, name: string, seed: number, extra: Record<string, unknown>): tf.layers.Layer {
  const a = {
    units, recurrentActivation: 'sigmoid', ...extra,
    kernelInitializer: seededInit('glorotUniform', deriveSeed(seed, `${name}/k`)),
    recurrentInitializer: seededInit('glorotUniform', deriveSeed(seed, `${name}/r`)),
  };
  if (kind === 'gru') return impl === 'fused' ? new FusedGRU(a) : tf.layers.gru(a as Parameters<typeof tf.layers.gru>[0]);
  return impl === 'fused' ? new FusedLSTM(a) : tf.layers.lstm(a as Parameters<typeof tf.layers.lstm>[0]);
}

/** input → GRU(64, sequences) → additive attention pooling → dense(3). */
function gruAttn(impl: Impl, seed: number): tf.LayersModel {
  const init = (name: string) => seededInit('glorotUniform', deriveSeed(seed, `m1/${name}`));
  const input = tf.input({ shape: [50, 1] });
  const h = rnnLayer('gru', impl, 'm1/gru', seed, { returnSequences: true }).apply(input) as tf.SymbolicTensor;
  const e = tf.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: init('w') }).apply(h) as tf.SymbolicTensor;
  const s = tf.layers.dense({ units: 1, useBias: false, kernelInitializer: init('v') }).apply(e) as tf.SymbolicTensor;
  const a = tf.layers.softmax({ axis: 1 }).apply(tf.layers.flatten().apply(s)) as tf.SymbolicTensor;
  const ctx = tf.layers.dot({ axes: [1, 1] }).apply([a, h]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init('out') }).apply(ctx) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/**
 * Bi-LSTM(64) encoder; LSTM(64) decoder over the teacher-forced 10 steps, started from the
 * sum of the two directions' final states; Bahdanau scores vᵀtanh(W1 d_i + W2 e_j + b) of
 * each decoder state against the encoder outputs; dense(1) on [d_i; context_i].
 */
function bilstmS2s(impl: Impl, seed: number): tf.LayersModel {
  const encIn = tf.input({ shape: [50, 1] });
  const decIn = tf.input({ shape: [10, 1] });
  const bi = tf.layers.bidirectional({
    layer: rnnLayer('lstm', impl, 'm2/enc', seed, { returnSequences: true, returnState: true }) as unknown as tf.RNN,
    mergeMode: 'concat',
  });
  const [enc, hf, cf, hb, cb] = bi.apply(encIn) as tf.SymbolicTensor[];
  const h0 = tf.layers.add().apply([hf!, hb!]) as tf.SymbolicTensor;
  const c0 = tf.layers.add().apply([cf!, cb!]) as tf.SymbolicTensor;
  const dec = rnnLayer('lstm', impl, 'm2/dec', seed, { returnSequences: true }).apply(decIn, { initialState: [h0, c0] }) as tf.SymbolicTensor;
  const [ctx] = new BahdanauAttention({ units, seed: deriveSeed(seed, 'm2/att') }).apply([dec, enc!]) as tf.SymbolicTensor[];
  const cat = tf.layers.concatenate().apply([dec, ctx!]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, kernelInitializer: seededInit('glorotUniform', deriveSeed(seed, 'm2/out')) }).apply(cat) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [encIn, decIn], outputs: out });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

/** A compiled model (Adam 1e-3) with seeded initial weights. */
export function buildModel(model: ModelName, impl: Impl, seed: number): tf.LayersModel {
  return model === 'gru-attn' ? gruAttn(impl, seed) : bilstmS2s(impl, seed);
}
