/**
 * The input projection xp = x·W + b of the fused recurrences, computed inside their op (in the
 * kernel arena) instead of as separate tfjs ops: in the Bi-LSTM benchmark the projection's
 * matMul, bias add and their gradients (xᵀ·dxp with a one-row xᵀ, the bias' column sum,
 * dxp·Wᵀ) were ~15 % of an epoch as tfjs kernels (bench/profile-train.ts), mostly dispatch and
 * copies around tiny or thin products.
 */
import * as tf from '@tensorflow/tfjs';
import type { Arena } from '../wasm/kernels.ts';
import { putTensor, setFromTensor, tensorFrom } from '../wasm/tensors.ts';

/** Where an op's input lives in the arena, and how it was made. */
export interface ProjectedInput {
  /** xp (rows × g), scratch: valid during the forward kernel only. */
  pXp: number;
  /** Saved x (rows × d), W (d × g), b (g), when the op projects; 0 otherwise. */
  pX: number;
  pW: number;
  pB: number;
  d: number;
}

/**
 * Lays out the op's input. Without `w`, `input` already is xp (rows × g) and is copied in.
 * With `w`, x, W and b are kept (saved buffers via `keep`) and xp = x·W + b is computed.
 * Call after every other saved buffer of the op: it allocates scratch.
 */
export function placeInput(
  A: Arena, keep: (n: number) => number, input: tf.Tensor, w: tf.Tensor2D | undefined, bias: tf.Tensor | undefined, rows: number, g: number,
): ProjectedInput {
  if (!w) return { pXp: putTensor(A, input), pX: 0, pW: 0, pB: 0, d: 0 };
  const d = w.shape[0];
  const pX = keep(rows * d);
  const pW = keep(d * g);
  const pB = bias ? keep(g) : 0;
  setFromTensor(A, pX, input);
  setFromTensor(A, pW, w);
  if (bias) setFromTensor(A, pB, bias);
  const pXp = A.alloc(rows * g);
  if (bias) A.k.broadcastRows(pXp, pB, rows, g);
  A.k.gemm(pX, d, 1, pW, g, pXp, g, rows, d, g, bias ? 1 : 0);
  return { pXp, pX, pW, pB, d };
}

/**
 * Gradients of the op's input arguments from dxp (rows × g) at `pDxp`: [dxp] when the op took
 * xp, else [dx, dW] plus db when it has a bias. `inputShape` is the input tensor's shape.
 */
export function inputGrads(A: Arena, p: ProjectedInput, pDxp: number, rows: number, g: number, inputShape: number[]): tf.Tensor[] {
  if (!p.pW) return [tensorFrom(A, pDxp, inputShape)];
  const { d } = p;
  const pWT = A.alloc(g * d);
  A.k.transpose(p.pW, d, g, g, pWT);
  const pDx = A.alloc(rows * d);
  A.k.gemm(pDxp, g, 1, pWT, d, pDx, d, rows, g, d, 0);
  const pDw = A.alloc(d * g);
  A.k.gemm(p.pX, 1, d, pDxp, g, pDw, g, d, rows, g, 0);
  const grads = [tensorFrom(A, pDx, inputShape), tensorFrom(A, pDw, [d, g])];
  if (p.pB) {
    const pDb = A.alloc(g);
    A.k.colSums(pDxp, rows, g, pDb);
    grads.push(tensorFrom(A, pDb, [g]));
  }
  return grads;
}
