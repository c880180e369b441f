/**
 * The per-timestep matrix product of the fused recurrences. Measured on the 2-core dev box:
 * a (32×64)·(64×256) product costs ~0.1–0.6 ms through the wasm backend's XNNPACK kernel,
 * tensor round trip included, against ~3–7 ms for the best plain-JS loop, so each step hands
 * the GEMM to the active backend and keeps only the elementwise gate math in typed-array
 * loops. Transposed operands are materialised once instead of passing transpose flags: the
 * wasm backend sends transposed products to a slow scalar path (profiled: 3× the XNNPACK time).
 */
import * as tf from '@tensorflow/tfjs';

/** Multiplies row blocks held in Float32Arrays by one fixed matrix (or its transpose). */
export class StepGemm {
  private readonly k: number;
  private readonly n: number;
  private wT?: tf.Tensor2D;

  /** `w` (k × n) stays owned by the caller and must outlive this object's use. */
  constructor(private readonly w: tf.Tensor2D) {
    [this.k, this.n] = w.shape;
  }

  /** a (rows × k) · w → (rows × n). */
  mul(a: Float32Array, rows: number): Float32Array {
    return run(a, rows, this.k, this.w);
  }

  /** a (rows × n) · wᵀ → (rows × k). */
  mulT(a: Float32Array, rows: number): Float32Array {
    this.wT ??= tf.transpose(this.w);
    return run(a, rows, this.n, this.wT);
  }

  /** Free the transposed copy, if one was made. */
  dispose(): void {
    this.wT?.dispose();
    this.wT = undefined;
  }
}

function run(a: Float32Array, rows: number, cols: number, w: tf.Tensor2D): Float32Array {
  const at = tf.tensor2d(a, [rows, cols]);
  const out = tf.matMul(at, w);
  const values = out.dataSync() as Float32Array;
  at.dispose();
  out.dispose();
  return values;
}

/** aᵀ · b for row-major a (n × p) and b (n × q), as one backend matMul: the weight gradients. */
export function matMulTN(a: Float32Array, p: number, b: Float32Array, q: number): tf.Tensor2D {
  const n = a.length / p;
  const aT = new Float32Array(a.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) aT[j * n + i] = a[i * p + j] as number;
  return tf.tidy(() => tf.matMul(tf.tensor2d(aT, [p, n]), tf.tensor2d(b, [n, q])));
}
