/** GRU layer whose forward pass and BPTT each run as one fused op. */
import * as tf from '@tensorflow/tfjs';
import { type FusedRecurrence, type FusedRnnArgs, FusedRnnLayer } from './fused-rnn-layer.ts';
import { gruSequence } from './gru-op.ts';
import type { RecurrentActivation } from './activations.ts';

/** Options of {@link FusedGRU}: those of tf.layers.gru. */
export interface FusedGRUArgs extends FusedRnnArgs {
  /** Only false (tfjs' GRU has no reset-after variant either). */
  resetAfter?: boolean;
}

/**
 * Gated recurrent unit (Cho et al. 2014, "Learning Phrase Representations using RNN
 * Encoder–Decoder for Statistical Machine Translation"), numerically the tf.layers.gru cell
 * (reset gate before the recurrent product). A drop-in for tf.layers.gru (same config and
 * weights) whose recurrence runs as one op each way.
 */
export class FusedGRU extends FusedRnnLayer {
  static readonly className = 'FusedGRU';

  constructor(args: FusedGRUArgs) {
    if (args.resetAfter === true) throw new Error('FusedGRU: resetAfter is not supported (tf.layers.gru lacks it too)');
    super(args, 'gru', 3);
  }

  protected get stateCount(): number {
    return 1;
  }

  protected recurrence(): FusedRecurrence {
    const recurrentActivation = this.recurrentActivation as RecurrentActivation;
    return (x, kernel, bias, u, [h0], mask, goBackwards) => {
      const r = gruSequence(x, u, h0 as tf.Tensor2D, {
        recurrentActivation, mask, reverse: goBackwards, outputOrder: 'processing', inputKernel: kernel, inputBias: bias,
      });
      return { outputs: r.outputs, states: [r.h] };
    };
  }
}
tf.serialization.registerClass(FusedGRU);
