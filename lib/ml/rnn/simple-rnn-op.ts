/**
 * The Elman recurrence h' = tanh(x·W + b + h·U) as one op with a hand-written BPTT gradient,
 * in the WebAssembly kernels (../wasm/kernels.as.ts): per step one GEMM each way, dU at the end.
 * Same masking options as the LSTM and GRU ops (`recurrentActivation` does not apply).
 */
import * as tf from '@tensorflow/tfjs';
import { type SequenceOptions, maskValues } from './options.ts';
import { FusedOpFrame, putTensor, setFromTensor, tensorFrom } from '../wasm/tensors.ts';
import { prepareSequence, unpackOutputs } from './fused-op.ts';
import { inputGrads, placeInput } from './input-projection.ts';

/** Result of {@link simpleRnnSequence}. */
export interface SimpleRnnResult {
  /** (b, t, h), at the original time indices even when `reverse`. */
  outputs: tf.Tensor3D;
  /** Final state (b, h). */
  h: tf.Tensor2D;
}

/**
 * Run an Elman RNN over a projected sequence xp (b, t, h), or over x (b, t, d) with
 * `opts.inputKernel` (and `inputBias`) to project inside the op. Differentiable w.r.t. the
 * input, recurrentKernel (h, h), h0 and the input kernel and bias; the mask gets a zero gradient.
 */
export function simpleRnnSequence(input: tf.Tensor3D, recurrentKernel: tf.Tensor2D, h0: tf.Tensor2D, opts: SequenceOptions = {}): SimpleRnnResult {
  const [b, t] = input.shape;
  const h = recurrentKernel.shape[1];
  const { flags, mask, projection } = prepareSequence(input, opts);
  const op = tf.customGrad((...all: unknown[]) => {
    // customGrad appends its `save` function to the inputs.
    const args = all.slice(0, 4 + projection.length);
    const [inT, uT, h0T, maskT, wT, biasT] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D?, tf.Tensor1D?];
    const mv = opts.mask ? maskValues(maskT) : undefined;
    const bh = b * h;
    const frame = new FusedOpFrame();
    const { A } = frame;
    const keep = (n: number): number => frame.keep(n);
    const pU = keep(h * h);
    const pHs = keep((t + 1) * bh);
    const pActs = keep(t * bh);
    const pMask = mv ? keep(b * t) : 0;
    setFromTensor(A, pU, uT);
    setFromTensor(A, pHs, h0T);
    if (mv) A.set(pMask, mv);
    const inp = placeInput(A, keep, inT, wT, biasT, b * t, h);
    const pOut = A.alloc(b * (t + 1) * h);
    A.k.rnnForward(inp.pXp, pU, pHs, pActs, pOut, pMask, b, t, h, flags);
    const value = tensorFrom<tf.Tensor3D>(A, pOut, [b, t + 1, h]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      frame.backward('fused RNN');
      const gUT = A.alloc(h * h);
      A.k.transpose(pU, h, h, h, gUT);
      const gDv = putTensor(A, Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy);
      const gDA = A.alloc(t * bh);
      const gDxp = A.alloc(b * t * h);
      const gDh = A.alloc(bh);
      const gDU = A.alloc(h * h);
      A.k.rnnBackward(gDv, pHs, pActs, gUT, pMask, gDA, gDxp, gDh, gDU, b, t, h, flags);
      const [dIn, ...dProjection] = inputGrads(A, inp, gDxp, b * t, h, inT.shape);
      return [dIn as tf.Tensor, tensorFrom(A, gDU, [h, h]), tensorFrom(A, gDh, [b, h]), tf.zeros(maskT.shape), ...dProjection];
    };
    return { value, gradFunc };
  });
  // Intermediates are left to the caller's tidy: the tape may still refer to them.
  const { outputs, states: [hT] } = unpackOutputs(op(input, recurrentKernel, h0, mask, ...projection) as tf.Tensor3D, 1);
  return { outputs, h: hT as tf.Tensor2D };
}
