/**
 * Batched BatchMatMul for the wasm backend through this project's WebAssembly-SIMD GEMM
 * (lib/ml/wasm/kernels.as.ts). tfjs-backend-wasm hands each matrix of a batch to XNNPACK
 * separately, which costs milliseconds for attention's many small products; measured with
 * `pnpm tsx bench/matmul.ts` (operands copied heap to heap, one copy each way): (10×50)·(50×128)
 * ×32 2.4 ms → 0.24 ms, its two gradients 5–9× faster. Single (unbatched) products stay on
 * XNNPACK: there the two paths are within ±30 % of each other, large ones favouring XNNPACK.
 * Transposed operands: a transposed A is read through strides, a transposed B is transposed
 * once in the kernel module. Batch dimensions broadcast as in tfjs when equal or when one
 * side's batch is 1; anything else falls back.
 *
 * Registered by default over the transpose-free BatchMatMul (it falls back to it);
 * `SEQLAB_WASM_MATMUL=stock` keeps the stock kernel.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelArena } from '../wasm/kernels.ts';
import { kernelOverride } from './override.ts';

/** Benchmarks set this to route every float32 product through the SIMD GEMM. */
let force = false;

/** Route every product through the SIMD GEMM regardless of {@link useSimd} (benchmarks). */
export function forceSimdMatMul(on: boolean): void {
  force = on;
}

/** Whether a product of `batch` (m × k)·(k × n) matrices goes to the SIMD GEMM: batches only (see above). */
export function useSimd(batch: number, _m: number, _k: number, _n: number): boolean {
  return batch > 1;
}

interface MatMulArgs {
  inputs: { a: TensorInfo; b: TensorInfo };
  attrs: { transposeA: boolean; transposeB: boolean };
  backend: BackendWasm;
}

/** The product through the SIMD GEMM; undefined when the batch dimensions do not broadcast simply. */
function simdMatMul({ inputs: { a, b }, attrs: { transposeA, transposeB }, backend }: MatMulArgs): TensorInfo | undefined {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[transposeA ? ra - 1 : ra - 2] as number;
  const k = a.shape[transposeA ? ra - 2 : ra - 1] as number;
  const n = b.shape[transposeB ? rb - 2 : rb - 1] as number;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const sizeA = batchA.reduce((p, d) => p * d, 1);
  const sizeB = batchB.reduce((p, d) => p * d, 1);
  const outBatch = sizeA >= sizeB ? batchA : batchB;
  if (sizeA !== sizeB && sizeA !== 1 && sizeB !== 1) return undefined;
  if (sizeA === sizeB && batchA.join() !== batchB.join() && batchA.length > 0 && batchB.length > 0) return undefined;
  const batch = Math.max(sizeA, sizeB);
  if ((!force && !useSimd(batch, m, k, n)) || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const A = kernelArena();
  A.reset();
  // Straight from the backend's heap into the kernel module's memory and back: one copy each way.
  const pa = A.put(backend.typedArrayFromHeap(a) as Float32Array);
  let pb = A.put(backend.typedArrayFromHeap(b) as Float32Array);
  if (transposeB) {
    const t = A.alloc(sizeB * k * n);
    for (let i = 0; i < sizeB; i++) A.k.transpose(pb + i * n * k * 4, n, k, k, t + i * k * n * 4);
    pb = t;
  }
  const pc = A.alloc(batch * m * n);
  for (let i = 0; i < batch; i++) {
    const ai = pa + (sizeA === 1 ? 0 : i * m * k * 4);
    const bi = pb + (sizeB === 1 ? 0 : i * k * n * 4);
    // A[r][p] at row stride k (plain) or, transposed (k × m), at column stride m.
    if (transposeA) A.k.gemm(ai, 1, m, bi, n, pc + i * m * n * 4, n, m, k, n, 0);
    else A.k.gemm(ai, k, 1, bi, n, pc + i * m * n * 4, n, m, k, n, 0);
  }
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  backend.typedArrayFromHeap(out).set(A.view(pc, batch * m * n));
  return out;
}

const override = kernelOverride('BatchMatMul', (base) => (args) => simdMatMul(args as unknown as MatMulArgs) ?? base.kernelFunc(args));

/** Put the SIMD BatchMatMul in front of the registered wasm one. Idempotent. */
export const registerSimdMatMul = override.register;

/** Put back the BatchMatMul that was registered before {@link registerSimdMatMul}. */
export const unregisterSimdMatMul = override.unregister;
