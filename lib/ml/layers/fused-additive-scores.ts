/**
 * Additive attention scores s[b,i,j] = vᵀ tanh(q[b,i] + k[b,j]) as one op with a hand-written
 * gradient, in the WebAssembly kernels (lib/ml/wasm/kernels.as.ts). The tfjs formulation
 * broadcasts q and k to a (b, tq, tk, u) tensor, takes its tanh, multiplies by v and keeps all of
 * it for the gradient: in the Bi-LSTM + Bahdanau benchmark that tensor's Tanh, Add, Sum and
 * matMul kernels were about a quarter of an epoch (bench/profile-train.ts). Here it is never
 * stored; the backward pass recomputes tanh.
 *
 * `SEQLAB_ATTENTION=stock` (or {@link setAdditiveScoresImplementation}) switches back to the
 * tfjs formulation.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedOpFrame, putTensor, setFromTensor, tensorFrom } from '../wasm/tensors.ts';

let override: 'fused' | 'stock' | undefined;

/** Force an implementation for this process (undefined: back to `SEQLAB_ATTENTION`, default fused). */
export function setAdditiveScoresImplementation(impl: 'fused' | 'stock' | undefined): void {
  override = impl;
}

/** Whether additive scores use the fused op now. */
export function fusedAdditiveScoresEnabled(): boolean {
  if (override) return override === 'fused';
  const env = process.env.SEQLAB_ATTENTION;
  if (env === undefined || env === '' || env === 'fused') return true;
  if (env === 'stock') return false;
  throw new Error(`SEQLAB_ATTENTION="${env}" is not one of fused, stock`);
}

/**
 * q (b, tq, u) and k (b, tk, u), the projected query and keys with any bias already added; v
 * (u) or (u, 1). Returns the scores (b, tq, tk), differentiable w.r.t. q, k and v.
 */
export function fusedAdditiveScores(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor): tf.Tensor3D {
  const [nb, tq, u] = q.shape;
  const tk = k.shape[1];
  if (k.shape[0] !== nb || k.shape[2] !== u || v.size !== u) {
    throw new Error(`fusedAdditiveScores: shapes q [${q.shape}], k [${k.shape}], v [${v.shape}] do not fit`);
  }
  const op = tf.customGrad((...args: unknown[]) => {
    const [qT, kT, vT] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor];
    const frame = new FusedOpFrame();
    const { A } = frame;
    const pQ = frame.keep(nb * tq * u);
    const pK = frame.keep(nb * tk * u);
    const pV = frame.keep(u);
    setFromTensor(A, pQ, qT);
    setFromTensor(A, pK, kT);
    setFromTensor(A, pV, vT);
    const pOut = A.alloc(nb * tq * tk);
    A.k.additiveScores(pQ, pK, pV, pOut, nb, tq, tk, u);
    const value = tensorFrom<tf.Tensor3D>(A, pOut, [nb, tq, tk]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      frame.backward('fusedAdditiveScores');
      const gDs = putTensor(A, Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy);
      const gDq = A.alloc(nb * tq * u);
      const gDk = A.alloc(nb * tk * u);
      const gDv = A.alloc(u);
      A.k.additiveScoresBackward(pQ, pK, pV, gDs, gDq, gDk, gDv, nb, tq, tk, u);
      return [tensorFrom(A, gDq, [nb, tq, u]), tensorFrom(A, gDk, [nb, tk, u]), tensorFrom(A, gDv, vT.shape)];
    };
    return { value, gradFunc };
  });
  return op(q, k, v) as tf.Tensor3D;
}
