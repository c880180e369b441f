/**
 * The whole LSTM recurrence as one op with a hand-written BPTT gradient.
 *
 * Input is the projected sequence xp = x·W + b (b, t, 4h) in Keras gate order i, f, c, o, so
 * the input projection of all timesteps is one big matMul taped by tfjs as usual. The recurrence
 * runs in the WebAssembly kernels (../wasm/kernels.as.ts): per step one GEMM (h·U) and the gate
 * math four lanes at a time; backward one GEMM (dG·Uᵀ) per step and dU = Hprevᵀ·dG at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { isHard } from './activations.ts';
import { type SequenceOptions, maskValues } from './options.ts';
import { FLAG, kernelArena } from '../wasm/kernels.ts';

/** Result of {@link lstmSequence}. */
export interface LstmResult {
  /** (b, t, h), at the original time indices even when `reverse`. */
  outputs: tf.Tensor3D;
  /** Final hidden state (b, h). */
  h: tf.Tensor2D;
  /** Final cell state (b, h). */
  c: tf.Tensor2D;
}

/**
 * Run an LSTM over a projected sequence. Differentiable w.r.t. xp, recurrentKernel, h0, c0
 * (the mask gets a zero gradient). Same numerics as tfjs' LSTMCell stepped by tf.layers.rnn.
 */
export function lstmSequence(
  xp: tf.Tensor3D, recurrentKernel: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D, opts: SequenceOptions = {},
): LstmResult {
  const [b, t, g4] = xp.shape;
  const h = g4 / 4;
  const hard = isHard(opts.recurrentActivation ?? 'hardSigmoid');
  const reverse = opts.reverse === true;
  const carry = (opts.maskedOutput ?? 'carry') === 'carry';
  const byStep = opts.outputOrder === 'processing';
  const mask = opts.mask ?? tf.ones([b, t]);
  const flags = (hard ? FLAG.hard : 0) | (reverse ? FLAG.reverse : 0) | (carry ? FLAG.carry : 0) | (byStep ? FLAG.byStep : 0);
  const op = tf.customGrad((...args: unknown[]) => {
    const [xpT, uT, h0T, c0T, maskT] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const mv = opts.mask ? maskValues(maskT) : undefined;
    const bh = b * h;
    const uv = uT.dataSync() as Float32Array;
    const A = kernelArena();
    A.reset();
    const pXp = A.put(xpT.dataSync() as Float32Array);
    const pU = A.put(uv);
    const pHs = A.alloc((t + 1) * bh);
    const pCs = A.alloc((t + 1) * bh);
    A.set(pHs, h0T.dataSync() as Float32Array);
    A.set(pCs, c0T.dataSync() as Float32Array);
    const pGates = A.alloc(t * b * g4);
    const pTanhC = A.alloc(t * bh);
    const pOut = A.alloc(b * (t + 2) * h);
    const pMask = mv ? A.put(mv) : 0;
    A.k.lstmForward(pXp, pU, pHs, pCs, pGates, pTanhC, pOut, pMask, b, t, h, flags);
    const value = tf.tensor3d(A.get(pOut, b * (t + 2) * h), [b, t + 2, h]);
    // What the backward pass needs, copied out: other ops reuse the arena before it runs.
    const hs = A.get(pHs, (t + 1) * bh);
    const cs = A.get(pCs, (t + 1) * bh);
    const gates = A.get(pGates, t * b * g4);
    const tanhC = A.get(pTanhC, t * bh);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const dv = (Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy).dataSync() as Float32Array;
      A.reset();
      const gU = A.put(uv);
      const gUT = A.alloc(g4 * h);
      A.k.transpose(gU, h, g4, g4, gUT);
      const gDv = A.put(dv);
      const gHs = A.put(hs);
      const gCs = A.put(cs);
      const gGates = A.put(gates);
      const gTanhC = A.put(tanhC);
      const gMask = mv ? A.put(mv) : 0;
      const gDG = A.alloc(t * b * g4);
      const gDxp = A.alloc(b * t * g4);
      const gDh = A.alloc(bh);
      const gDc = A.alloc(bh);
      const gDU = A.alloc(h * g4);
      A.k.lstmBackward(gDv, gHs, gCs, gGates, gTanhC, gUT, gMask, gDG, gDxp, gDh, gDc, gDU, b, t, h, flags);
      return [
        tf.tensor3d(A.get(gDxp, b * t * g4), [b, t, g4]),
        tf.tensor2d(A.get(gDU, h * g4), [h, g4]),
        tf.tensor2d(A.get(gDh, bh), [b, h]),
        tf.tensor2d(A.get(gDc, bh), [b, h]),
        tf.zeros(maskT.shape),
      ];
    };
    return { value, gradFunc };
  });
  // Intermediates are left to the caller's tidy: the tape may still refer to them.
  const packedOut = op(xp, recurrentKernel, h0, c0, mask) as tf.Tensor3D;
  const outputs = tf.slice(packedOut, [0, 0, 0], [b, t, h]);
  const hT = tf.reshape(tf.slice(packedOut, [0, t, 0], [b, 1, h]), [b, h]) as tf.Tensor2D;
  const cT = tf.reshape(tf.slice(packedOut, [0, t + 1, 0], [b, 1, h]), [b, h]) as tf.Tensor2D;
  return { outputs, h: hT, c: cT };
}
