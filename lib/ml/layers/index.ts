/**
 * Attention layers and temporal building blocks (tfjs-layers custom layers).
 *
 * Conventions shared by every layer here:
 *
 * - **Masks**: float tensors, 1 = real token, 0 = padding. Key masks are (b, tk); the attention
 *   layers that take a query sequence also accept (b, tq, tk). Masked keys get ~0 weight
 *   (scores + (1 − mask)·−1e9, so a fully masked row is uniform, never NaN).
 * - **Several inputs** are passed as a list to `apply()`, in the order documented on each class;
 *   the mask, when used, is the LAST element of that list (never a kwarg). This works the same
 *   in eager mode (`layer.apply([q, k, v, mask]) as tf.Tensor[]`, e.g. a decoder calling
 *   attention step by step in a custom loop) and in symbolic mode (`tf.input` placeholders in a
 *   functional `tf.model`): tfjs-layers only tracks list inputs as graph edges, and its executor
 *   overwrites `kwargs.mask` with Keras-style propagated masks.
 * - **Outputs** are lists: `[result, attentionWeights, …]` (weights are what the metrics and
 *   figures read). The position encodings return a single tensor.
 *   Repeating a tensor in the list (self-attention `[x, x, x, mask]`, `[q, mem, mem]`) is fine:
 *   in symbolic mode the repeats are routed through an `InputCopy` node, because tfjs' executor
 *   would otherwise free the tensor too early during `predict()`.
 * - **kwargs**: only `{ training: true }` matters (dropout in TransformerEncoderBlock). In
 *   functional models `fit()` sets it and `predict()` clears it for every layer at once; tfjs
 *   does not replay per-call kwargs there, which is one more reason masks are inputs.
 * - **Determinism**: every layer with weights takes `seed`; same seed → same initial weights
 *   (give different layers different seeds: the same seed gives the same draws).
 * - **Eager use without apply()**: `layer.build(shapes)` then `layer.call(inputs, {})` inside
 *   your own tidy also works (the decoder adapters in lib/ml/models do this).
 * - **Serialisation**: every class is registered with `tf.serialization.registerClass`, so
 *   `tf.loadLayersModel` restores models containing them once this module is imported.
 */
export { ScaledDotProductAttention, type ScaledDotProductAttentionArgs } from './scaled-dot-product-attention.ts';
export { LuongAttention, type LuongAttentionArgs, type LuongScore } from './luong-attention.ts';
export { BahdanauAttention, type BahdanauAttentionArgs, additiveScores } from './bahdanau-attention.ts';
export { CoverageAttention, type CoverageAttentionArgs, coveragePenalty } from './coverage-attention.ts';
export {
  MultiHeadAttention, type MultiHeadAttentionArgs, type MultiHeadWeights, multiHeadAttend,
} from './multi-head-attention.ts';
export {
  SinusoidalPositionEncoding, type SinusoidalPositionEncodingArgs, sinusoidTable,
} from './sinusoidal-position-encoding.ts';
export { LearnedPositionEmbedding, type LearnedPositionEmbeddingArgs } from './learned-position-embedding.ts';
export { TransformerEncoderBlock, type TransformerEncoderBlockArgs } from './transformer-encoder-block.ts';
export { MemoryModule, type MemoryModuleArgs } from './memory-module.ts';
export {
  HierarchicalTemporalEncoder, type HierarchicalTemporalEncoderArgs, windowMeanUpsampled,
} from './hierarchical-temporal-encoder.ts';
export { InputCopy, MultiInputLayer } from './multi-input-layer.ts';
export { MASK_VALUE, causalBias, dense, dotProductAttention, layerNorm, maskedSoftmax } from './common.ts';
