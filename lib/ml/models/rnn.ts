/**
 * The one place that makes recurrent cells. Everything in `models/` steps cells through the
 * {@link Rnn} interface only, so the stock tfjs cells can later be swapped for fused kernels by
 * changing {@link makeRnn} alone.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFusedRnn, rnnImplementation } from '../rnn/index.ts';
import type { MakeRnnOptions, Rnn, RnnKind, RnnState, RunRnnOptions } from '../rnn/types.ts';
import { type NamedWeight, WeightStore } from './weights.ts';

// The types live beside the fused cells so that lib/ml/rnn needs nothing from this file.
export type { MakeRnnOptions, Rnn, RnnKind, RnnState, RunRnnOptions } from '../rnn/types.ts';

/**
 * Make a cell. Today: tfjs' stock `lstmCell` / `gruCell` (Keras gate layout: LSTM i,f,c,o;
 * GRU z,r,h), glorot-uniform kernels with per-weight seeds. The recurrent kernel is glorot
 * too, not Keras' orthogonal: tfjs' orthogonal initialiser runs a QR in JS, takes ~0.3 s for a
 * 64-unit LSTM and warns on every call.
 */
export function makeRnn(kind: RnnKind, units: number, opts: MakeRnnOptions): Rnn {
  // Default: the fused cells of lib/ml/rnn (same weights and numerics, whole sequences as one
  // op); SEQLAB_RNN=stock or setRnnImplementation('stock') selects the stock cells below.
  if (rnnImplementation() === 'fused') return makeFusedRnn(kind, units, opts);
  const store = new WeightStore(opts.seed);
  const base = {
    units,
    kernelInitializer: tf.initializers.glorotUniform({ seed: store.nextSeed() }),
    recurrentInitializer: tf.initializers.glorotUniform({ seed: store.nextSeed() }),
    biasInitializer: tf.initializers.zeros(),
  };
  // unitForgetBias is Keras' default for LSTMs: the forget gate starts open.
  const cell = kind === 'lstm' ? tf.layers.lstmCell({ ...base, unitForgetBias: true }) : tf.layers.gruCell(base);
  store.adopt(opts.name ?? kind, cell, [null, opts.inputDim]);
  return {
    kind,
    units,
    inputDim: opts.inputDim,
    initialState(batch: number): RnnState {
      return kind === 'lstm' ? [tf.zeros([batch, units]), tf.zeros([batch, units])] : [tf.zeros([batch, units])];
    },
    step(x: tf.Tensor2D, state: RnnState): RnnState {
      return tf.tidy(() => {
        const out = cell.call([x, ...state], {}) as tf.Tensor[];
        // Stock cells return [output, ...newState] where output === h.
        return out.slice(1) as tf.Tensor2D[];
      });
    },
    weights(): NamedWeight[] {
      return store.weights();
    },
  };
}

/**
 * Run a cell over x (b, t, d). At padded steps (mask 0) the state is carried through unchanged
 * and the output is zero, so with right padding the backward direction starts from a zero
 * state at each sequence's real last token and the final state is the one at its real end.
 * Returns outputs (b, t, units) in the original time order and the final state.
 */
export function runRnn(rnn: Rnn, x: tf.Tensor3D, mask?: tf.Tensor2D, opts: RunRnnOptions = {}): { outputs: tf.Tensor3D; state: RnnState } {
  if (rnn.sequence) return rnn.sequence(x, mask, opts);
  return tf.tidy(() => {
    const [b, t] = x.shape;
    const steps = tf.unstack(x, 1) as tf.Tensor2D[];
    const masks = mask ? (tf.unstack(mask.toFloat().reshape([b, t, 1]), 1) as tf.Tensor2D[]) : undefined;
    let state = opts.initialState ?? rnn.initialState(b);
    const outputs: tf.Tensor2D[] = new Array<tf.Tensor2D>(t);
    for (let k = 0; k < t; k++) {
      const i = opts.reverse ? t - 1 - k : k;
      const next = rnn.step(steps[i] as tf.Tensor2D, state);
      const m = masks?.[i];
      if (m) {
        const prev = state;
        state = next.map((s, j) => tf.add(tf.mul(s, m), tf.mul(prev[j] as tf.Tensor2D, tf.sub(1, m))) as tf.Tensor2D);
        outputs[i] = tf.mul(next[0] as tf.Tensor2D, m);
      } else {
        state = next;
        outputs[i] = next[0] as tf.Tensor2D;
      }
    }
    const result = { outputs: tf.stack(outputs, 1) as tf.Tensor3D, state };
    return result as unknown as tf.TensorContainerObject;
  }) as unknown as { outputs: tf.Tensor3D; state: RnnState };
}
