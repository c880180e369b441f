/**
 * A BatchMatMul for the wasm backend that never takes its transposed path. tfjs-backend-wasm
 * 4.22 runs `matMul(a, b, transposeA, transposeB)` with a transpose flag through a slow scalar
 * loop; materialising the transpose with the Transpose kernel and calling the plain product
 * (XNNPACK) is 1–17× cheaper in CPU time (measured: (1600×64)ᵀ·(1600×256) 52.6 ms → 3.0 ms;
 * (16000×1)·(64×1)ᵀ 10.8 → 4.1 ms). Every gradient of a dense layer or matMul goes through
 * those flags, stock layers included.
 *
 * Registered by default with the other wasm kernels (registerWasmKernels); `SEQLAB_WASM_MATMUL=stock`
 * keeps the stock kernel, and `pnpm bench:train --stock-matmul` measures the difference.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { kernelOverride } from './override.ts';
import { unregisterSimdMatMul } from './simd-matmul.ts';

interface MatMulArgs {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo };
  attrs: { transposeA: boolean; transposeB: boolean };
  backend: { disposeData(dataId: object): void };
}

const override = kernelOverride('BatchMatMul', (base) => {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('registerTransposeFreeMatMul: the wasm backend has no Transpose kernel');
  const swapLast = (x: TensorInfo, backend: MatMulArgs['backend']): TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 1], perm[r - 2]] = [r - 2, r - 1];
    return transpose.kernelFunc({ inputs: { x }, attrs: { perm }, backend } as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
  };
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as MatMulArgs;
    if (!attrs.transposeA && !attrs.transposeB) return base.kernelFunc(args);
    const a = attrs.transposeA ? swapLast(inputs.a, backend) : inputs.a;
    const b = attrs.transposeB ? swapLast(inputs.b, backend) : inputs.b;
    const out = base.kernelFunc({ ...args, inputs: { ...inputs, a, b }, attrs: { ...attrs, transposeA: false, transposeB: false } } as unknown as Parameters<KernelFunc>[0]);
    if (a !== inputs.a) backend.disposeData(a.dataId);
    if (b !== inputs.b) backend.disposeData(b.dataId);
    return out;
  };
});

/** Replace the wasm BatchMatMul by the transpose-free one. Idempotent; call after the wasm backend is registered. */
export const registerTransposeFreeMatMul = override.register;

/** Put the stock wasm BatchMatMul back (removing the SIMD one layered on top, if any). */
export function unregisterTransposeFreeMatMul(): void {
  unregisterSimdMatMul();
  override.unregister();
}
