/** LSTM layer whose forward pass and BPTT each run as one fused op. */
import * as tf from '@tensorflow/tfjs';
import { type FusedRecurrence, type FusedRnnArgs, FusedRnnLayer, type Initializer } from './fused-rnn-layer.ts';
import { lstmSequence } from './lstm-op.ts';
import type { RecurrentActivation } from './activations.ts';

/** Options of {@link FusedLSTM}: those of tf.layers.lstm. */
export interface FusedLSTMArgs extends FusedRnnArgs {
  /** Start the forget gate's bias at 1 (default true, like tf.layers.lstm). */
  unitForgetBias?: boolean;
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997, "Long Short-Term Memory", with the
 * forget gate of Gers et al. 2000), numerically the tf.layers.lstm cell: gates i, f, c, o;
 * c' = f∘c + i∘tanh(zc), h' = o∘tanh(c'). A drop-in for tf.layers.lstm (same config and
 * weights) that trains many times faster because the recurrence is one op each way.
 */
export class FusedLSTM extends FusedRnnLayer {
  static readonly className = 'FusedLSTM';
  readonly unitForgetBias: boolean;

  constructor(args: FusedLSTMArgs) {
    super(args, 'lstm', 4);
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  protected get stateCount(): number {
    return 2;
  }

  // Mirrors LSTMCell.build: [init(h), ones(h), init(2h)].
  protected override initialBias(init: Initializer): tf.Tensor1D | undefined {
    if (!this.unitForgetBias) return undefined;
    const h = this.units;
    return tf.tidy(() => tf.concat([init.apply([h]), tf.ones([h]), init.apply([2 * h])]) as tf.Tensor1D);
  }

  protected recurrence(): FusedRecurrence {
    const recurrentActivation = this.recurrentActivation as RecurrentActivation;
    return (x, kernel, bias, u, [h0, c0], mask, goBackwards) => {
      const r = lstmSequence(x, u, h0 as tf.Tensor2D, c0 as tf.Tensor2D, {
        recurrentActivation, mask, reverse: goBackwards, outputOrder: 'processing', inputKernel: kernel, inputBias: bias,
      });
      return { outputs: r.outputs, states: [r.h, r.c] };
    };
  }
}
tf.serialization.registerClass(FusedLSTM);
