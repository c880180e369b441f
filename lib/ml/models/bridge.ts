/** From an encoder's summary state to a decoder cell's initial state. */
import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers/common.ts';
import type { Encoder } from './encoders.ts';
import type { RnnKind, RnnState } from './rnn.ts';
import type { WeightStore } from './weights.ts';

/**
 * When the encoder's state already fits the decoder cell (same width, same number of parts)
 * it is passed through, as in Sutskever et al. 2014. Otherwise — a bidirectional encoder
 * (2·units), a GRU feeding an LSTM, a conv or transformer encoder's mean — each decoder part i
 * is tanh(W_i s_j + b_i) of encoder part j = min(i, parts-1), as Bahdanau et al. 2015 (A.2.2)
 * initialise from the backward state.
 */
export function makeBridge(store: WeightStore, prefix: string, encoder: Encoder, cell: RnnKind, units: number): (s: RnnState) => RnnState {
  const parts = cell === 'lstm' ? 2 : 1;
  if (encoder.stateDim === units && encoder.stateCount === parts) return (s) => s.map((x) => x.clone());
  const maps = Array.from({ length: parts }, (_, i) => ({
    kernel: store.create(`${prefix}/part${i}/kernel`, [encoder.stateDim, units]),
    bias: store.create(`${prefix}/part${i}/bias`, [units], 'zeros'),
  }));
  return (s) => tf.tidy(() => maps.map((m, i) => {
    const src = s[Math.min(i, s.length - 1)];
    if (!src) throw new Error('bridge: the encoder returned no state');
    return tf.tanh(dense(src, m.kernel, m.bias)) as tf.Tensor2D;
  }));
}
