/**
 * What the decoders need from a model, and what they return. A model exposes its encoder and
 * one decoder step; greedy and beam search drive the loop, so any encoder–decoder fits.
 */
import * as tf from '@tensorflow/tfjs';

/** A tree of tensors (objects and arrays of tensors), e.g. an encoder memo or a decoder state. */
export type TensorTree = tf.Tensor | readonly TensorTree[] | { readonly [key: string]: TensorTree | undefined };

/** One decoder step over a batch. */
export interface StepOutput<S> {
  /** (b, vocab) unnormalised scores of the next token. */
  logits: tf.Tensor2D;
  /** (b, srcLen) attention over the source; rows sum to 1 over real source tokens. */
  weights: tf.Tensor2D;
  state: S;
}

/** An encoder–decoder the decoding functions can drive. Every returned tensor is the caller's. */
export interface Decodable<E extends object = object, S extends object = object> {
  /** Id of the padding token in source batches. */
  readonly padId: number;
  /** Encode source tokens (b, t) int32. */
  encode(src: tf.Tensor2D): E;
  /** (b, t) float mask of the encoded source, 1 = real; a tensor held by `enc`, not a new one. */
  sourceMask(enc: E): tf.Tensor2D;
  /** The decoder state before the first step. */
  initialState(enc: E): S;
  /** Feed the previous tokens (b) int32 and advance one step. Must not dispose `state`. */
  step(enc: E, prev: tf.Tensor1D, state: S): StepOutput<S>;
}

/** Options shared by greedy and beam search. */
export interface DecodeOptions {
  /** Most tokens to generate (end token included). */
  maxLen: number;
  /** Fed as the previous token of the first step. */
  startToken: number;
  /** Generating it ends a hypothesis. */
  endToken: number;
}

/** One decoded sequence. */
export interface Hypothesis {
  /** Generated tokens, without the start token, ending with the end token when it was produced. */
  tokens: number[];
  /** Sum of the log-probabilities of `tokens` under the model (natural log). */
  logProb: number;
  /** Ranking score: `logProb` divided by the length penalty (greedy: equal to `logProb`). */
  score: number;
  /** Attention, one row per generated token, one column per real source token. */
  attention: number[][];
}

/** Pad ragged token lists with `padId` into an int32 (b, t) tensor; a tensor passes through. */
export function toSourceTensor(src: number[][] | tf.Tensor2D, padId: number): tf.Tensor2D {
  if (src instanceof tf.Tensor) return src.toInt();
  const t = Math.max(1, ...src.map((s) => s.length));
  return tf.tensor2d(src.map((s) => [...s, ...Array<number>(t - s.length).fill(padId)]), [src.length, t], 'int32');
}

/** Gather rows `indices` along the batch axis of every tensor in a tree. */
export function gatherTree<T extends object>(tree: T, indices: tf.Tensor1D): T {
  if (tree instanceof tf.Tensor) return tf.gather(tree, indices) as unknown as T;
  if (Array.isArray(tree)) return tree.map((x: object) => gatherTree(x, indices)) as unknown as T;
  const out: Record<string, TensorTree | undefined> = {};
  for (const [k, v] of Object.entries(tree)) out[k] = v === undefined ? undefined : gatherTree(v as object, indices) as TensorTree;
  return out as T;
}

/** Dispose every tensor of a tree. */
export function disposeTree(tree: object | undefined): void {
  if (tree === undefined) return;
  if (tree instanceof tf.Tensor) tree.dispose();
  else if (Array.isArray(tree)) for (const x of tree as object[]) disposeTree(x);
  else for (const v of Object.values(tree)) disposeTree(v as object | undefined);
}

/** Real lengths of each source row, read from the model's mask. */
export function sourceLengths<E extends object>(model: Decodable<E, object>, enc: E): number[] {
  const sums = model.sourceMask(enc).sum(1);
  const lengths = Array.from(sums.dataSync() as Float32Array, (x) => Math.round(x));
  sums.dispose();
  return lengths;
}
