/**
 * What the fused recurrence ops (LSTM, GRU, Elman) share around their kernels: option flags,
 * the argument list and unpacking the single packed output tensor that tf.customGrad allows.
 * (The arena bookkeeping they share with other fused ops is `FusedOpFrame`, ../wasm/tensors.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { FLAG } from '../wasm/kernels.ts';
import type { SequenceOptions } from './options.ts';

/** The parts of {@link SequenceOptions} every op passes the same way. */
export interface PreparedSequence {
  /** Kernel flag bits (without the gate activation, which only LSTM and GRU have). */
  flags: number;
  /** The (b, t) mask tensor given to the op (ones when there is none). */
  mask: tf.Tensor2D;
  /** Extra op arguments: [inputKernel, inputBias?] when the op projects its input. */
  projection: tf.Tensor[];
}

/** Flags, mask and projection arguments of a (b, t, ·) input. */
export function prepareSequence(input: tf.Tensor3D, opts: SequenceOptions): PreparedSequence {
  const [b, t] = input.shape;
  const carry = (opts.maskedOutput ?? 'carry') === 'carry';
  const flags = (opts.reverse === true ? FLAG.reverse : 0) | (carry ? FLAG.carry : 0) | (opts.outputOrder === 'processing' ? FLAG.byStep : 0);
  const projection = opts.inputKernel ? [opts.inputKernel, ...(opts.inputBias ? [opts.inputBias] : [])] : [];
  return { flags, mask: opts.mask ?? tf.ones([b, t]), projection };
}

/** Splits a packed (b, t + k, h) op output into the step outputs and k final states. */
export function unpackOutputs(packed: tf.Tensor3D, states: number): { outputs: tf.Tensor3D; states: tf.Tensor2D[] } {
  const [b, tk, h] = packed.shape;
  const t = tk - states;
  const outputs = tf.slice(packed, [0, 0, 0], [b, t, h]);
  const finals = Array.from({ length: states }, (_, i) => tf.reshape(tf.slice(packed, [0, t + i, 0], [b, 1, h]), [b, h]) as tf.Tensor2D);
  return { outputs, states: finals };
}
