/**
 * Options shared by the fused sequence ops ({@link lstmSequence}, {@link gruSequence}).
 */
import type * as tf from '@tensorflow/tfjs';
import type { RecurrentActivation } from './activations.ts';

/** What a padded step (mask 0) emits: tfjs' behaviour or zeros. */
export type MaskedOutput = 'carry' | 'zero';

/** Options of the fused sequence ops. */
export interface SequenceOptions {
  /** Gate activation (default 'hardSigmoid', tfjs' default). */
  recurrentActivation?: RecurrentActivation;
  /** Walk the sequence from the last step to the first; outputs stay at their time index. */
  reverse?: boolean;
  /**
   * At padded steps the state is always carried through. The output there is the carried
   * state with 'carry' (tf.layers semantics, default) or zero with 'zero' (`runRnn`'s).
   */
  maskedOutput?: MaskedOutput;
  /**
   * Where step outputs go: at their time index ('time', default) or in processing order
   * ('processing': with `reverse`, tf.layers' goBackwards output without a tf.reverse).
   */
  outputOrder?: 'time' | 'processing';
  /** (b, t) with 1 = real step, 0 = padding. */
  mask?: tf.Tensor2D;
  /**
   * Input kernel W (d, g·h): the op's first argument is then x (b, t, d) and the op computes
   * xp = x·W (+ inputBias) itself, with gradients for x, W and the bias. Without it the first
   * argument is xp (b, t, g·h).
   */
  inputKernel?: tf.Tensor2D;
  /** Input bias (g·h), with `inputKernel` only. */
  inputBias?: tf.Tensor1D;
}

/** Values of a (b, t) mask as floats, or undefined for no mask. */
export function maskValues(mask: tf.Tensor | undefined): Float32Array | undefined {
  if (mask === undefined) return undefined;
  return Float32Array.from(mask.dataSync() as ArrayLike<number>);
}
