/**
 * The recurrent-cell contract shared by the stock cells of `models/rnn.ts` and the fused ones of
 * this folder. Kept in its own file so that neither side imports the other for its types.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HasWeights } from '../models/weights.ts';

/** Recurrent cell kinds. */
export type RnnKind = 'lstm' | 'gru';

/** Recurrent state: `[h]` for a GRU, `[h, c]` for an LSTM; `h` always first. */
export type RnnState = tf.Tensor2D[];

/** One recurrent cell, stepped eagerly. */
export interface Rnn extends HasWeights {
  readonly kind: RnnKind;
  readonly units: number;
  readonly inputDim: number;
  /** Zero state for a batch. */
  initialState(batch: number): RnnState;
  /** One step: x (b, inputDim), state → new state (its first element is the output h). */
  step(x: tf.Tensor2D, state: RnnState): RnnState;
  /**
   * Optional whole-sequence path (a fused kernel) with exactly `runRnn`'s semantics;
   * runRnn uses it when present, so encoders speed up without changing.
   */
  sequence?(x: tf.Tensor3D, mask: tf.Tensor2D | undefined, opts: RunRnnOptions): { outputs: tf.Tensor3D; state: RnnState };
}

/** Options of `makeRnn`. */
export interface MakeRnnOptions {
  /** Width of the step input. */
  inputDim: number;
  /** Base seed of the initialisers. */
  seed: number;
  /** Logical name prefix of the weights (default the kind). */
  name?: string;
}

/** Options of `runRnn`. */
export interface RunRnnOptions {
  /** Process the sequence from the last step to the first. */
  reverse?: boolean;
  /** Start state (default zeros). */
  initialState?: RnnState;
}
