/**
 * The whole GRU recurrence as one op with a hand-written BPTT gradient, in tfjs' GRUCell
 * formulation (reset gate applied before the recurrent product, gate order z, r, h):
 *   z = σ(xz + h·Uz), r = σ(xr + h·Ur), ĥ = tanh(xh + (r∘h)·Uh), h' = z∘h + (1−z)∘ĥ.
 * The recurrence runs in the WebAssembly kernels (../wasm/kernels.as.ts): two GEMMs per step each
 * way (h·[Uz Ur], then (r∘h)·Uh) and the gate math four lanes at a time; dU as two GEMMs at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { isHard } from './activations.ts';
import { type SequenceOptions, maskValues } from './options.ts';
import { FLAG } from '../wasm/kernels.ts';
import { FusedOpFrame, putTensor, setFromTensor, tensorFrom } from '../wasm/tensors.ts';
import { prepareSequence, unpackOutputs } from './fused-op.ts';
import { inputGrads, placeInput } from './input-projection.ts';

/** Result of {@link gruSequence}. */
export interface GruResult {
  /** (b, t, h), at the original time indices even when `reverse`. */
  outputs: tf.Tensor3D;
  /** Final state (b, h). */
  h: tf.Tensor2D;
}

/**
 * Run a GRU over a projected sequence xp = x·W + b (b, t, 3h), or over x (b, t, d) with
 * `opts.inputKernel` (and `inputBias`) to project inside the op. Differentiable w.r.t. the
 * input, recurrentKernel (h, 3h), h0 and the input kernel and bias; the mask gets a zero gradient.
 */
export function gruSequence(input: tf.Tensor3D, recurrentKernel: tf.Tensor2D, h0: tf.Tensor2D, opts: SequenceOptions = {}): GruResult {
  const [b, t] = input.shape;
  const g3 = recurrentKernel.shape[1];
  const h = g3 / 3;
  const hard = isHard(opts.recurrentActivation ?? 'hardSigmoid');
  const { flags: base, mask, projection } = prepareSequence(input, opts);
  const flags = base | (hard ? FLAG.hard : 0);
  const op = tf.customGrad((...all: unknown[]) => {
    // customGrad appends its `save` function to the inputs.
    const args = all.slice(0, 4 + projection.length);
    const [inT, uT, h0T, maskT, wT, biasT] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D?, tf.Tensor1D?];
    const mv = opts.mask ? maskValues(maskT) : undefined;
    const bh = b * h;
    const frame = new FusedOpFrame();
    const { A } = frame;
    const keep = (n: number): number => frame.keep(n);
    const pU = keep(h * g3);
    const pHs = keep((t + 1) * bh);
    const pRhs = keep(t * bh);
    const pGates = keep(t * b * g3);
    const pMask = mv ? keep(b * t) : 0;
    setFromTensor(A, pU, uT);
    setFromTensor(A, pHs, h0T);
    if (mv) A.set(pMask, mv);
    const inp = placeInput(A, keep, inT, wT, biasT, b * t, g3);
    const pOut = A.alloc(b * (t + 1) * h);
    A.k.gruForward(inp.pXp, pU, pHs, pRhs, pGates, pOut, pMask, b, t, h, flags);
    const value = tensorFrom<tf.Tensor3D>(A, pOut, [b, t + 1, h]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      frame.backward('fused GRU');
      const gUT = A.alloc(g3 * h);
      A.k.transpose(pU, h, g3, g3, gUT);
      const gDv = putTensor(A, Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy);
      const gDG = A.alloc(t * b * g3);
      const gDxp = A.alloc(b * t * g3);
      const gDh = A.alloc(bh);
      const gDz = A.alloc(bh);
      const gDrh = A.alloc(bh);
      const gDU = A.alloc(h * g3);
      A.k.gruBackward(gDv, pHs, pRhs, pGates, gUT, pMask, gDG, gDxp, gDh, gDz, gDrh, gDU, b, t, h, flags);
      const [dIn, ...dProjection] = inputGrads(A, inp, gDxp, b * t, g3, inT.shape);
      return [
        dIn as tf.Tensor,
        tensorFrom(A, gDU, [h, g3]),
        tensorFrom(A, gDh, [b, h]),
        tf.zeros(maskT.shape),
        ...dProjection,
      ];
    };
    return { value, gradFunc };
  });
  // Intermediates are left to the caller's tidy: the tape may still refer to them.
  const { outputs, states: [hT] } = unpackOutputs(op(input, recurrentKernel, h0, mask, ...projection) as tf.Tensor3D, 1);
  return { outputs, h: hT as tf.Tensor2D };
}
