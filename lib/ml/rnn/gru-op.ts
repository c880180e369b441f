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
import { FLAG, kernelArena } from '../wasm/kernels.ts';

/** Result of {@link gruSequence}. */
export interface GruResult {
  /** (b, t, h), at the original time indices even when `reverse`. */
  outputs: tf.Tensor3D;
  /** Final state (b, h). */
  h: tf.Tensor2D;
}

/**
 * Run a GRU over a projected sequence xp = x·W + b (b, t, 3h). Differentiable w.r.t. xp,
 * recurrentKernel (h, 3h) and h0; the mask gets a zero gradient.
 */
export function gruSequence(xp: tf.Tensor3D, recurrentKernel: tf.Tensor2D, h0: tf.Tensor2D, opts: SequenceOptions = {}): GruResult {
  const [b, t, g3] = xp.shape;
  const h = g3 / 3;
  const hard = isHard(opts.recurrentActivation ?? 'hardSigmoid');
  const reverse = opts.reverse === true;
  const carry = (opts.maskedOutput ?? 'carry') === 'carry';
  const byStep = opts.outputOrder === 'processing';
  const mask = opts.mask ?? tf.ones([b, t]);
  const flags = (hard ? FLAG.hard : 0) | (reverse ? FLAG.reverse : 0) | (carry ? FLAG.carry : 0) | (byStep ? FLAG.byStep : 0);
  const op = tf.customGrad((...args: unknown[]) => {
    const [xpT, uT, h0T, maskT] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const mv = opts.mask ? maskValues(maskT) : undefined;
    const bh = b * h;
    const uv = uT.dataSync() as Float32Array;
    const A = kernelArena();
    A.reset();
    const pXp = A.put(xpT.dataSync() as Float32Array);
    const pU = A.put(uv);
    const pHs = A.alloc((t + 1) * bh);
    A.set(pHs, h0T.dataSync() as Float32Array);
    const pRhs = A.alloc(t * bh);
    const pGates = A.alloc(t * b * g3);
    const pOut = A.alloc(b * (t + 1) * h);
    const pMask = mv ? A.put(mv) : 0;
    A.k.gruForward(pXp, pU, pHs, pRhs, pGates, pOut, pMask, b, t, h, flags);
    const value = tf.tensor3d(A.get(pOut, b * (t + 1) * h), [b, t + 1, h]);
    // What the backward pass needs, copied out: other ops reuse the arena before it runs.
    const hs = A.get(pHs, (t + 1) * bh);
    const rhs = A.get(pRhs, t * bh);
    const gates = A.get(pGates, t * b * g3);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const dv = (Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy).dataSync() as Float32Array;
      A.reset();
      const gU = A.put(uv);
      const gUT = A.alloc(g3 * h);
      A.k.transpose(gU, h, g3, g3, gUT);
      const gDv = A.put(dv);
      const gHs = A.put(hs);
      const gRhs = A.put(rhs);
      const gGates = A.put(gates);
      const gMask = mv ? A.put(mv) : 0;
      const gDG = A.alloc(t * b * g3);
      const gDxp = A.alloc(b * t * g3);
      const gDh = A.alloc(bh);
      const gDz = A.alloc(bh);
      const gDrh = A.alloc(bh);
      const gDU = A.alloc(h * g3);
      A.k.gruBackward(gDv, gHs, gRhs, gGates, gUT, gMask, gDG, gDxp, gDh, gDz, gDrh, gDU, b, t, h, flags);
      return [
        tf.tensor3d(A.get(gDxp, b * t * g3), [b, t, g3]),
        tf.tensor2d(A.get(gDU, h * g3), [h, g3]),
        tf.tensor2d(A.get(gDh, bh), [b, h]),
        tf.zeros(maskT.shape),
      ];
    };
    return { value, gradFunc };
  });
  // Intermediates are left to the caller's tidy: the tape may still refer to them.
  const packedOut = op(xp, recurrentKernel, h0, mask) as tf.Tensor3D;
  const outputs = tf.slice(packedOut, [0, 0, 0], [b, t, h]);
  const hT = tf.reshape(tf.slice(packedOut, [0, t, 0], [b, 1, h]), [b, h]) as tf.Tensor2D;
  return { outputs, h: hT };
}
