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
import { FLAG } from '../wasm/kernels.ts';
import { FusedOpFrame, putTensor, setFromTensor, tensorFrom } from '../wasm/tensors.ts';
import { prepareSequence, unpackOutputs } from './fused-op.ts';
import { inputGrads, placeInput } from './input-projection.ts';

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
 * Run an LSTM over a projected sequence xp (b, t, 4h), or over x (b, t, d) with
 * `opts.inputKernel` (and `inputBias`) to project inside the op. Differentiable w.r.t. the
 * input, recurrentKernel, h0, c0 and the input kernel and bias (the mask gets a zero
 * gradient). Same numerics as tfjs' LSTMCell stepped by tf.layers.rnn.
 */
export function lstmSequence(
  input: tf.Tensor3D, recurrentKernel: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D, opts: SequenceOptions = {},
): LstmResult {
  const [b, t] = input.shape;
  const g4 = recurrentKernel.shape[1];
  const h = g4 / 4;
  const hard = isHard(opts.recurrentActivation ?? 'hardSigmoid');
  const { flags: base, mask, projection } = prepareSequence(input, opts);
  const flags = base | (hard ? FLAG.hard : 0);
  const op = tf.customGrad((...all: unknown[]) => {
    // customGrad appends its `save` function to the inputs.
    const args = all.slice(0, 5 + projection.length);
    const [inT, uT, h0T, c0T, maskT, wT, biasT] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D?, tf.Tensor1D?];
    const mv = opts.mask ? maskValues(maskT) : undefined;
    const bh = b * h;
    const frame = new FusedOpFrame();
    const { A } = frame;
    const keep = (n: number): number => frame.keep(n);
    const pU = keep(h * g4);
    const pHs = keep((t + 1) * bh);
    const pCs = keep((t + 1) * bh);
    const pGates = keep(t * b * g4);
    const pTanhC = keep(t * bh);
    const pMask = mv ? keep(b * t) : 0;
    setFromTensor(A, pU, uT);
    setFromTensor(A, pHs, h0T);
    setFromTensor(A, pCs, c0T);
    if (mv) A.set(pMask, mv);
    const inp = placeInput(A, keep, inT, wT, biasT, b * t, g4);
    const pOut = A.alloc(b * (t + 2) * h);
    A.k.lstmForward(inp.pXp, pU, pHs, pCs, pGates, pTanhC, pOut, pMask, b, t, h, flags);
    const value = tensorFrom<tf.Tensor3D>(A, pOut, [b, t + 2, h]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      frame.backward('fused LSTM');
      const gUT = A.alloc(g4 * h);
      A.k.transpose(pU, h, g4, g4, gUT);
      const gDv = putTensor(A, Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy);
      const gDG = A.alloc(t * b * g4);
      const gDxp = A.alloc(b * t * g4);
      const gDh = A.alloc(bh);
      const gDc = A.alloc(bh);
      const gDU = A.alloc(h * g4);
      A.k.lstmBackward(gDv, pHs, pCs, pGates, pTanhC, gUT, pMask, gDG, gDxp, gDh, gDc, gDU, b, t, h, flags);
      const [dIn, ...dProjection] = inputGrads(A, inp, gDxp, b * t, g4, inT.shape);
      return [
        dIn as tf.Tensor,
        tensorFrom(A, gDU, [h, g4]),
        tensorFrom(A, gDh, [b, h]),
        tensorFrom(A, gDc, [b, h]),
        tf.zeros(maskT.shape),
        ...dProjection,
      ];
    };
    return { value, gradFunc };
  });
  // Intermediates are left to the caller's tidy: the tape may still refer to them.
  const { outputs, states: [hT, cT] } = unpackOutputs(op(input, recurrentKernel, h0, c0, mask, ...projection) as tf.Tensor3D, 2);
  return { outputs, h: hT as tf.Tensor2D, c: cT as tf.Tensor2D };
}
