/**
 * Sequence encoders for the encoder–decoder models: (bi)LSTM/GRU and fairseq's convolutional
 * encoder. Every encoder maps tokens (b, t) int32 — or features (b, t, d) — to per-step
 * outputs, a padding mask (1 = real, 0 = pad) and a summary state for the decoder.
 */
import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers/common.ts';
import { type RnnKind, type RnnState, makeRnn, runRnn } from './rnn.ts';
import { type HasWeights, type NamedWeight, WeightStore } from './weights.ts';

/** What every encoder returns. */
export interface EncoderOutput {
  /** (b, t, outputDim); zero at padded steps. Used as attention keys. */
  outputs: tf.Tensor3D;
  /** (b, t, outputDim) attention values: `outputs` except for fconv (outputs + embeddings). */
  values: tf.Tensor3D;
  /** (b, t) float32, 1 = real, 0 = pad. */
  mask: tf.Tensor2D;
  /** Summary for the decoder's initial state: final [h] / [h, c] of an RNN, else [masked mean]. */
  state: RnnState;
}

/** An encoder: weights plus a pure `encode` (its result is the caller's to dispose). */
export interface Encoder extends HasWeights {
  readonly outputDim: number;
  /** Width of each element of `EncoderOutput.state`. */
  readonly stateDim: number;
  /** Length of `EncoderOutput.state`: 2 for an LSTM encoder ([h, c]), else 1. */
  readonly stateCount: number;
  /**
   * tokens (b, t) int32 when built with `vocabSize`, else features (b, t, inputDim). `mask`
   * overrides the mask derived from `padId` (tokens) or all-ones (features). `training` turns on
   * the encoder's dropout, if it has any.
   */
  encode(src: tf.Tensor, mask?: tf.Tensor2D, training?: boolean): EncoderOutput;
}

/** How an encoder reads its input: token ids through an embedding, or features as they are. */
export interface EncoderInputOptions {
  /** Token input: vocabulary size (ids 0..vocabSize-1) … */
  vocabSize?: number;
  /** … and embedding width (default 32). */
  embedDim?: number;
  /** Padding id of token input (default 0). */
  padId?: number;
  /** Feature input: width of each step (when `vocabSize` is absent). */
  inputDim?: number;
}

/** Embeds tokens (or passes features through) and derives the mask. */
interface InputReader {
  dim: number;
  read(src: tf.Tensor, mask?: tf.Tensor2D): { x: tf.Tensor3D; mask: tf.Tensor2D };
}

/** Build the input stage of an encoder, its embedding table registered in `store`. */
export function makeInputReader(store: WeightStore, prefix: string, opts: EncoderInputOptions): InputReader {
  if (opts.vocabSize !== undefined) {
    const dim = opts.embedDim ?? 32;
    const table = store.create(`${prefix}/embedding`, [opts.vocabSize, dim], 'normal');
    const padId = opts.padId ?? 0;
    return {
      dim,
      read: (src, mask) => ({
        // gather's gradient needs UnsortedSegmentSum, which lib/ml/kernels adds to wasm.
        x: tf.gather(table, src.toInt()) as tf.Tensor3D,
        mask: mask ?? (tf.notEqual(src, padId).toFloat() as tf.Tensor2D),
      }),
    };
  }
  if (opts.inputDim === undefined) throw new Error('encoder needs either vocabSize (tokens) or inputDim (features)');
  return {
    dim: opts.inputDim,
    read: (src, mask) => ({ x: src as tf.Tensor3D, mask: mask ?? (tf.ones([src.shape[0] ?? 0, src.shape[1] ?? 0]) as tf.Tensor2D) }),
  };
}

/** Mean over real steps: x (b, t, d), mask (b, t) → (b, d). */
export function maskedMean(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = mask.expandDims(2);
    return tf.div(tf.mul(x, m).sum(1), tf.maximum(m.sum(1), 1)) as tf.Tensor2D;
  });
}

/** Options of {@link rnnEncoder}. */
export interface RnnEncoderOptions extends EncoderInputOptions {
  cell: RnnKind;
  units: number;
  /** Run a backward RNN too and merge both directions (default false). */
  bidirectional?: boolean;
  /** How directions merge: 'concat' (default; width 2·units) or 'sum' (width units). */
  merge?: 'concat' | 'sum';
  seed: number;
  /** Logical weight prefix (default 'encoder'). */
  name?: string;
}

/**
 * (Bi)LSTM/GRU encoder. Padded steps carry the state and output zeros (see `runRnn`), so the
 * final state is the one at each sequence's real end in both directions.
 */
export function rnnEncoder(opts: RnnEncoderOptions): Encoder {
  const prefix = opts.name ?? 'encoder';
  const store = new WeightStore(opts.seed);
  const input = makeInputReader(store, prefix, opts);
  const fwd = makeRnn(opts.cell, opts.units, { inputDim: input.dim, seed: store.nextSeed(), name: `${prefix}/fwd` });
  const bwd = opts.bidirectional
    ? makeRnn(opts.cell, opts.units, { inputDim: input.dim, seed: store.nextSeed(), name: `${prefix}/bwd` })
    : undefined;
  const merge = opts.merge ?? 'concat';
  const width = bwd && merge === 'concat' ? 2 * opts.units : opts.units;
  const join = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => (merge === 'concat' ? tf.concat([a, b], -1) : tf.add(a, b));
  return {
    outputDim: width,
    stateDim: width,
    stateCount: opts.cell === 'lstm' ? 2 : 1,
    encode(src, maskIn) {
      return tf.tidy(() => {
        const { x, mask } = input.read(src, maskIn);
        const f = runRnn(fwd, x, mask);
        let outputs = f.outputs;
        let state = f.state;
        if (bwd) {
          const b = runRnn(bwd, x, mask, { reverse: true });
          outputs = join(f.outputs, b.outputs) as tf.Tensor3D;
          state = f.state.map((s, i) => join(s, b.state[i] as tf.Tensor2D) as tf.Tensor2D);
        }
        return { outputs, values: outputs, mask, state } as unknown as tf.TensorContainerObject;
      }) as unknown as EncoderOutput;
    },
    weights(): NamedWeight[] {
      return [...store.weights(), ...fwd.weights(), ...(bwd ? bwd.weights() : [])];
    },
  };
}

/** Options of {@link convEncoder}. */
export interface ConvEncoderOptions extends EncoderInputOptions {
  /** Channels of the convolutions (default 64). */
  hiddenDim?: number;
  /** Number of conv blocks (default 3). */
  layers?: number;
  /** Odd kernel width (default 3); 'same' padding keeps the length. */
  kernelSize?: number;
  /** Longest input, for the learned position embeddings (default 256). */
  maxLen?: number;
  seed: number;
  /** Logical weight prefix (default 'encoder'). */
  name?: string;
}

/**
 * Convolutional encoder of Gehring et al. 2017, "Convolutional Sequence to Sequence Learning"
 * (fairseq `fconv`): token + learned position embeddings, a linear map to the conv width, then
 * blocks of 1-D conv → GLU with residual connections scaled by sqrt(0.5), and a linear map back
 * to the embedding width. Keys are that output; values add the input embedding (× sqrt(0.5)),
 * as in §3.3, so attention can read both context and the token itself.
 */
export function convEncoder(opts: ConvEncoderOptions): Encoder {
  const prefix = opts.name ?? 'encoder';
  const hidden = opts.hiddenDim ?? 64;
  const nLayers = opts.layers ?? 3;
  const k = opts.kernelSize ?? 3;
  const maxLen = opts.maxLen ?? 256;
  if (k % 2 !== 1) throw new Error(`convEncoder: kernelSize must be odd to keep the length, got ${k}`);
  const store = new WeightStore(opts.seed);
  const input = makeInputReader(store, prefix, opts);
  const d = input.dim;
  const positions = store.create(`${prefix}/positions`, [maxLen, d], 'normal');
  const inProj = store.create(`${prefix}/in_proj/kernel`, [d, hidden]);
  const inBias = store.create(`${prefix}/in_proj/bias`, [hidden], 'zeros');
  const convs = Array.from({ length: nLayers }, (_, i) => ({
    kernel: store.create(`${prefix}/conv${i}/kernel`, [k, hidden, 2 * hidden]),
    bias: store.create(`${prefix}/conv${i}/bias`, [2 * hidden], 'zeros'),
  }));
  const outProj = store.create(`${prefix}/out_proj/kernel`, [hidden, d]);
  const outBias = store.create(`${prefix}/out_proj/bias`, [d], 'zeros');
  const halfRoot = Math.sqrt(0.5);
  return {
    outputDim: d,
    stateDim: d,
    stateCount: 1,
    encode(src, maskIn) {
      return tf.tidy(() => {
        const { x: raw, mask } = input.read(src, maskIn);
        const t = raw.shape[1];
        if (t > maxLen) throw new Error(`convEncoder: input length ${t} exceeds maxLen ${maxLen}`);
        const m = mask.expandDims(2);
        const embedded = tf.add(raw, positions.slice([0, 0], [t, d])).mul(m) as tf.Tensor3D;
        let h = dense(embedded, inProj, inBias) as tf.Tensor3D;
        for (const conv of convs) {
          const residual = h;
          // Zero the padding before each conv so it cannot leak into real steps' windows.
          const y = tf.conv1d(h.mul(m) as tf.Tensor3D, conv.kernel as tf.Tensor3D, 1, 'same').add(conv.bias);
          const [a, gate] = tf.split(y, 2, -1) as [tf.Tensor, tf.Tensor];
          h = tf.add(a.mul(tf.sigmoid(gate)), residual).mul(halfRoot) as tf.Tensor3D;
        }
        const outputs = dense(h, outProj, outBias).mul(m) as tf.Tensor3D;
        const values = tf.add(outputs, embedded).mul(halfRoot) as tf.Tensor3D;
        return { outputs, values, mask, state: [maskedMean(outputs, mask)] } as unknown as tf.TensorContainerObject;
      }) as unknown as EncoderOutput;
    },
    weights: () => store.weights(),
  };
}
