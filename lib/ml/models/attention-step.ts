/**
 * The decoder's view of attention: one small interface, one adapter per kind, so every layer of
 * `lib/ml/layers` plugs into the same decoder loop.
 */
import * as tf from '@tensorflow/tfjs';
import { BahdanauAttention } from '../layers/bahdanau-attention.ts';
import { maskedSoftmax } from '../layers/common.ts';
import { CoverageAttention } from '../layers/coverage-attention.ts';
import { LuongAttention } from '../layers/luong-attention.ts';
import { MultiHeadAttention } from '../layers/multi-head-attention.ts';
import { type HasWeights, type NamedWeight, WeightStore } from './weights.ts';

/** Attention kinds the decoders accept. 'none' = plain encoder–decoder (state only). */
export type AttentionKind = 'none' | 'dot' | 'general' | 'concat' | 'additive' | 'coverage' | 'multi-head';

/** Every kind, for parameter validation and test matrices. */
export const ATTENTION_KINDS: readonly AttentionKind[] = ['none', 'dot', 'general', 'concat', 'additive', 'coverage', 'multi-head'];

/** One step of attention. */
export interface AttentionOutput {
  /** (b, valueDim); for 'none' a zero-width placeholder is never built: see {@link AttentionStep.contextDim}. */
  context: tf.Tensor2D;
  /** (b, t) attention weights; rows sum to 1 over real (mask 1) keys. */
  weights: tf.Tensor2D;
  /** Carried state (coverage: the running sum of weights, (b, t)). */
  state?: tf.Tensor2D[];
}

/**
 * query (b, dq) is the decoder state, keys (b, t, dk) and values (b, t, dv) the encoder
 * outputs (the same tensor for every kind but fconv), mask (b, t) 1 = real, 0 = pad.
 */
export interface AttentionStep extends HasWeights {
  readonly kind: AttentionKind;
  /** Width of `context`; 0 for 'none' (the decoder then skips the concat). */
  readonly contextDim: number;
  /** Initial carried state for a batch, or undefined when the kind carries none. */
  initialState(batch: number, srcLen: number): tf.Tensor2D[] | undefined;
  step(query: tf.Tensor2D, keys: tf.Tensor3D, values: tf.Tensor3D, mask?: tf.Tensor2D, state?: tf.Tensor2D[], prepared?: tf.Tensor3D): AttentionOutput;
  /**
   * The part of the scores that depends on the keys only (additive, concat, coverage: W k + b),
   * computed once per encoding and passed to every `step` as `prepared`; undefined when a kind
   * has none. Its result belongs to the caller, like the encoder's outputs.
   */
  prepare?(keys: tf.Tensor3D): tf.Tensor3D | undefined;
}

/** Options of {@link makeAttention}. */
export interface MakeAttentionOptions {
  /** Decoder state width. */
  queryDim: number;
  /** Encoder output width (keys). */
  keyDim: number;
  /** Width of values (default keyDim). */
  valueDim?: number;
  /** Hidden width of concat / additive / coverage scores (default keyDim). */
  units?: number;
  /** Heads of 'multi-head' (default 1). */
  heads?: number;
  seed: number;
  /** Logical weight name prefix (default 'attention'). */
  name?: string;
}

/** The context as weights · values, so layers that only score keys still honour fconv's values. */
function contextOf(weights: tf.Tensor2D, values: tf.Tensor3D): tf.Tensor2D {
  return tf.matMul(weights.expandDims(1), values).squeeze([1]) as tf.Tensor2D;
}

/** Register a built tfjs layer's weights under logical names. */
function storeOf(layer: tf.layers.Layer, prefix: string): WeightStore {
  const store = new WeightStore(0);
  store.adopt(prefix, layer);
  return store;
}

/**
 * Luong dot attention without weights: score = qᵀk. Built in so the decoder works with no
 * layer at all, and the reference the adapters are tested against.
 */
export function dotAttentionStep(valueDim: number): AttentionStep {
  return {
    kind: 'dot',
    contextDim: valueDim,
    initialState: () => undefined,
    step(query, keys, values, mask) {
      return tf.tidy(() => {
        const scores = tf.matMul(query.expandDims(1), keys, false, true).squeeze([1]);
        const weights = maskedSoftmax(scores, mask) as tf.Tensor2D;
        return { context: contextOf(weights, values), weights };
      });
    },
    weights: () => [],
  };
}

/** Make the attention step of a kind, its weights seeded and named `${name}/…`. */
export function makeAttention(kind: AttentionKind, opts: MakeAttentionOptions): AttentionStep {
  const prefix = opts.name ?? 'attention';
  const valueDim = opts.valueDim ?? opts.keyDim;
  const units = opts.units ?? opts.keyDim;
  const shapes: tf.Shape[] = [[null, opts.queryDim], [null, null, opts.keyDim]];
  switch (kind) {
    case 'none':
      return {
        kind,
        contextDim: 0,
        initialState: () => undefined,
        // Uniform weights over real keys keep the decoding API (attention matrices) uniform.
        step: (query, keys, _values, mask) => tf.tidy(() => {
          const [b, t] = keys.shape;
          const weights = maskedSoftmax(tf.zeros([b, t]), mask) as tf.Tensor2D;
          return { context: tf.zeros([query.shape[0], 0]) as tf.Tensor2D, weights };
        }),
        weights: () => [],
      };
    case 'dot': {
      if (opts.queryDim !== opts.keyDim) {
        throw new Error(`attention 'dot' needs query width ${opts.queryDim} to equal key width ${opts.keyDim}; use 'general'`);
      }
      return dotAttentionStep(valueDim);
    }
    case 'general':
    case 'concat': {
      const layer = new LuongAttention({ score: kind, units, seed: opts.seed });
      layer.build(shapes);
      const store = storeOf(layer, prefix);
      return {
        kind,
        contextDim: valueDim,
        initialState: () => undefined,
        step: (query, keys, values, mask, _state, prepared) => tf.tidy(() => {
          const kwargs = prepared ? { projectedMemory: prepared } : {};
          const [, weights] = layer.call(mask ? [query, keys, mask] : [query, keys], kwargs) as [tf.Tensor, tf.Tensor2D];
          return { context: contextOf(weights, values), weights };
        }),
        prepare: (keys) => layer.projectMemory(keys),
        weights: () => store.weights(),
      };
    }
    case 'additive': {
      const layer = new BahdanauAttention({ units, seed: opts.seed });
      layer.build(shapes);
      const store = storeOf(layer, prefix);
      return {
        kind,
        contextDim: valueDim,
        initialState: () => undefined,
        step: (query, keys, values, mask, _state, prepared) => tf.tidy(() => {
          const kwargs = prepared ? { projectedMemory: prepared } : {};
          const [, weights] = layer.call(mask ? [query, keys, mask] : [query, keys], kwargs) as [tf.Tensor, tf.Tensor2D];
          return { context: contextOf(weights, values), weights };
        }),
        prepare: (keys) => layer.projectMemory(keys),
        weights: () => store.weights(),
      };
    }
    case 'coverage': {
      const layer = new CoverageAttention({ units, seed: opts.seed });
      layer.build([...shapes, [null, null]]);
      const store = storeOf(layer, prefix);
      return {
        kind,
        contextDim: valueDim,
        initialState: (batch, srcLen) => [tf.zeros([batch, srcLen])],
        step: (query, keys, values, mask, state, prepared) => tf.tidy(() => {
          const coverage = state?.[0] ?? tf.zeros([keys.shape[0], keys.shape[1]]);
          const inputs = mask ? [query, keys, coverage, mask] : [query, keys, coverage];
          const [, weights, next] = layer.call(inputs, prepared ? { projectedMemory: prepared } : {}) as [tf.Tensor, tf.Tensor2D, tf.Tensor2D];
          return { context: contextOf(weights, values), weights, state: [next] };
        }),
        prepare: (keys) => layer.projectMemory(keys),
        weights: () => store.weights(),
      };
    }
    case 'multi-head':
      return multiHeadStep(opts, prefix, valueDim);
  }
}

/**
 * Multi-head cross-attention (Vaswani et al. 2017, §3.2.2) with one query step. The context is
 * the layer's output projection (width valueDim); the returned weights average the heads, so
 * each row still sums to 1 and reads as one alignment.
 */
function multiHeadStep(opts: MakeAttentionOptions, prefix: string, valueDim: number): AttentionStep {
  const heads = opts.heads ?? 1;
  if (opts.keyDim % heads !== 0) throw new Error(`attention 'multi-head': heads (${heads}) must divide key width ${opts.keyDim}`);
  const layer = new MultiHeadAttention({ numHeads: heads, keyDim: opts.keyDim / heads, outputDim: valueDim, seed: opts.seed });
  layer.build([[null, null, opts.queryDim], [null, null, opts.keyDim], [null, null, valueDim]]);
  const store = storeOf(layer, prefix);
  return {
    kind: 'multi-head',
    contextDim: valueDim,
    initialState: () => undefined,
    step: (query, keys, values, mask) => tf.tidy(() => {
      const inputs = [query.expandDims(1), keys, values, ...(mask ? [mask] : [])];
      const [out, w] = layer.call(inputs, {}) as [tf.Tensor, tf.Tensor];
      return { context: out.squeeze([1]) as tf.Tensor2D, weights: w.mean(1).squeeze([1]) as tf.Tensor2D };
    }),
    weights: () => store.weights(),
  };
}

/** Weights of several owners, concatenated. */
export function allWeights(...owners: (HasWeights | undefined)[]): NamedWeight[] {
  return owners.flatMap((o) => (o ? o.weights() : []));
}
