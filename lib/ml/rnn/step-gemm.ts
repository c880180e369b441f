/**
 * The per-timestep matrix product of the fused recurrences. Measured on the 2-core dev box
 * (bench notes in docs/fused-rnn.md): a (32×64)·(64×256) product costs ~0.7 ms through the
 * wasm backend's XNNPACK kernel including the tensor round trip, against ~3–7 ms for the best
 * plain-JS loop, so each step hands the GEMM to the active backend and keeps only the
 * elementwise gate math in typed-array loops.
 */
import * as tf from '@tensorflow/tfjs';

/** Multiplies row blocks held in Float32Arrays by one fixed matrix (or its transpose). */
export class StepGemm {
  private readonly k: number;
  private readonly n: number;

  /** `w` (k × n) stays owned by the caller and must outlive this object's use. */
  constructor(private readonly w: tf.Tensor2D) {
    [this.k, this.n] = w.shape;
  }

  /** a (rows × k) · w → (rows × n). */
  mul(a: Float32Array, rows: number): Float32Array {
    return this.run(a, rows, this.k, false);
  }

  /** a (rows × n) · wᵀ → (rows × k). */
  mulT(a: Float32Array, rows: number): Float32Array {
    return this.run(a, rows, this.n, true);
  }

  private run(a: Float32Array, rows: number, cols: number, transpose: boolean): Float32Array {
    const at = tf.tensor2d(a, [rows, cols]);
    const out = tf.matMul(at, this.w, false, transpose);
    const values = out.dataSync() as Float32Array;
    at.dispose();
    out.dispose();
    return values;
  }
}

/** aᵀ · b for row-major a (n × p) and b (n × q), as one backend matMul: the weight gradients. */
export function matMulTN(a: Float32Array, p: number, b: Float32Array, q: number): tf.Tensor2D {
  const n = a.length / p;
  return tf.tidy(() => tf.matMul(tf.tensor2d(a, [n, p]), tf.tensor2d(b, [n, q]), true, false));
}
