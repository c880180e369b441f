/**
 * The fused implementation behind `makeRnn` (lib/ml/models/rnn.ts): the same cells, weights,
 * seeds and logical weight names as the stock tfjs cells there, plus the `sequence` hook, which
 * `runRnn` uses to run a whole sequence as one fused op instead of stepping the cell.
 *
 * Switch: `SEQLAB_RNN=stock` in the environment, or {@link setRnnImplementation}('stock'),
 * makes `makeRnn` return the stock tfjs cells again.
 */
import * as tf from '@tensorflow/tfjs';
import type { MakeRnnOptions, Rnn, RnnKind, RnnState, RunRnnOptions } from './types.ts';
import { type NamedWeight, WeightStore } from '../models/weights.ts';
import { gruSequence } from './gru-op.ts';
import { lstmSequence } from './lstm-op.ts';

/** Which recurrent implementation `makeRnn` builds. */
export type RnnImplementation = 'fused' | 'stock';

let override: RnnImplementation | undefined;

/** Force an implementation for this process (undefined: back to `SEQLAB_RNN`, default fused). */
export function setRnnImplementation(impl: RnnImplementation | undefined): void {
  override = impl;
}

/** The implementation `makeRnn` uses now: the override, else `SEQLAB_RNN`, else 'fused'. */
export function rnnImplementation(): RnnImplementation {
  if (override) return override;
  const env = process.env.SEQLAB_RNN;
  if (env === undefined || env === '' || env === 'fused') return 'fused';
  if (env === 'stock') return 'stock';
  throw new Error(`SEQLAB_RNN="${env}" is not one of fused, stock`);
}

/** An {@link Rnn} whose optional whole-sequence hook is always there. */
export type SequenceRnn = Rnn & Required<Pick<Rnn, 'sequence'>>;

/**
 * A fused cell with exactly the stock cell's initial weights: glorot-uniform kernel and
 * recurrent kernel from the store's next two seeds, zero bias (LSTM: forget part 1), gate
 * order i,f,c,o / z,r,h and tfjs' default hardSigmoid gates.
 */
export function makeFusedRnn(kind: RnnKind, units: number, opts: MakeRnnOptions): SequenceRnn {
  const store = new WeightStore(opts.seed);
  const gates = kind === 'lstm' ? 4 : 3;
  const prefix = opts.name ?? kind;
  const kernelSeed = store.nextSeed();
  const recurrentSeed = store.nextSeed();
  const make = (name: string, value: tf.Tensor): tf.Variable => {
    const v = tf.variable(value, true);
    value.dispose();
    store.add(`${prefix}/${name}`, v);
    return v;
  };
  const kernel = make('kernel', tf.initializers.glorotUniform({ seed: kernelSeed }).apply([opts.inputDim, gates * units]));
  const recurrent = make('recurrent_kernel', tf.initializers.glorotUniform({ seed: recurrentSeed }).apply([units, gates * units]));
  const bias = make('bias', kind === 'lstm'
    ? tf.concat([tf.zeros([units]), tf.ones([units]), tf.zeros([2 * units])])
    : tf.zeros([gates * units]));
  const zeros = (batch: number): RnnState => (kind === 'lstm' ? [tf.zeros([batch, units]), tf.zeros([batch, units])] : [tf.zeros([batch, units])]);

  /** x (b, t, d) → outputs and final state; the input projection runs inside the op. */
  const recur = (x: tf.Tensor3D, state: RnnState, mask: tf.Tensor2D | undefined, reverse: boolean): { outputs: tf.Tensor3D; state: RnnState } => {
    const u = recurrent as tf.Tensor as tf.Tensor2D;
    const so = {
      recurrentActivation: 'hardSigmoid' as const, mask, reverse, maskedOutput: 'zero' as const,
      inputKernel: kernel as tf.Tensor as tf.Tensor2D, inputBias: bias as tf.Tensor as tf.Tensor1D,
    };
    if (kind === 'lstm') {
      const r = lstmSequence(x, u, state[0] as tf.Tensor2D, state[1] as tf.Tensor2D, so);
      return { outputs: r.outputs, state: [r.h, r.c] };
    }
    const r = gruSequence(x, u, state[0] as tf.Tensor2D, so);
    return { outputs: r.outputs, state: [r.h] };
  };

  return {
    kind,
    units,
    inputDim: opts.inputDim,
    initialState: zeros,
    step(x: tf.Tensor2D, state: RnnState): RnnState {
      return tf.tidy(() => recur(tf.expandDims(x, 1) as tf.Tensor3D, state, undefined, false).state);
    },
    sequence(x: tf.Tensor3D, mask: tf.Tensor2D | undefined, o: RunRnnOptions = {}): { outputs: tf.Tensor3D; state: RnnState } {
      return tf.tidy(() => {
        const m = mask ? (tf.cast(mask, 'float32') as tf.Tensor2D) : undefined;
        const r = recur(x, o.initialState ?? zeros(x.shape[0]), m, o.reverse === true);
        return r as unknown as tf.TensorContainerObject;
      }) as unknown as { outputs: tf.Tensor3D; state: RnnState };
    },
    weights(): NamedWeight[] {
      return store.weights();
    },
  };
}
