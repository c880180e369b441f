/**
 * Kernels the wasm backend lacks but training needs, registered on top of it. Found by training
 * small models on wasm (test/ml/backend/training.test.ts) and by diffing the kernel registries
 * of the wasm and cpu backends.
 */
import { getKernel, registerKernel } from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import {
  depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig,
} from './depthwise-conv2d-backprop.ts';
import { registerBlockReverse } from './block-reverse.ts';
import { registerSimdActivations } from './simd-activations.ts';
import { registerSimdConvBackpropInput } from './conv2d-backprop-input.ts';
import { registerRowGather } from './row-gather.ts';
import { registerSimdMatMul } from './simd-matmul.ts';
import { registerTransposeFreeMatMul } from './transpose-free-matmul.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';

export { registerTransposeFreeMatMul, unregisterTransposeFreeMatMul } from './transpose-free-matmul.ts';
export { registerBlockReverse, unregisterBlockReverse } from './block-reverse.ts';
export { registerSimdMatMul, unregisterSimdMatMul } from './simd-matmul.ts';
export { registerSimdActivations, unregisterSimdActivations } from './simd-activations.ts';
export { registerSimdConvBackpropInput, unregisterSimdConvBackpropInput } from './conv2d-backprop-input.ts';
export { registerRowGather, unregisterRowGather } from './row-gather.ts';

/** Every kernel this module adds to the wasm backend. */
export const wasmKernelConfigs: readonly KernelConfig[] = [
  unsortedSegmentSumConfig,
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
];

/**
 * Register the missing wasm kernels. Idempotent, and it never replaces a kernel that a newer
 * tfjs-backend-wasm provides itself (registerKernel would only warn and keep the old one).
 * Also swaps in the transpose-free BatchMatMul: the stock one's transposed path (taken by every
 * dense/matMul gradient) is up to ~18× slower. `SEQLAB_WASM_MATMUL=stock` keeps the stock kernel.
 * On top of it, batched products go to the SIMD GEMM (simd-matmul.ts).
 * Likewise, each with an environment switch back to the stock kernel: the block-copying Reverse
 * (`SEQLAB_WASM_REVERSE=stock`), SIMD Tanh/Sigmoid (`SEQLAB_WASM_ACTIVATIONS=stock`), the SIMD
 * Conv2DBackpropInput (`SEQLAB_WASM_CONV=stock`) and the row-copying GatherV2 (`SEQLAB_WASM_GATHER=stock`).
 */
export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) {
    if (getKernel(config.kernelName, 'wasm') === undefined) registerKernel(config);
  }
  if (process.env.SEQLAB_WASM_MATMUL !== 'stock') {
    registerTransposeFreeMatMul();
    registerSimdMatMul();
  }
  if (process.env.SEQLAB_WASM_REVERSE !== 'stock') registerBlockReverse();
  if (process.env.SEQLAB_WASM_ACTIVATIONS !== 'stock') registerSimdActivations();
  if (process.env.SEQLAB_WASM_CONV !== 'stock') registerSimdConvBackpropInput();
  if (process.env.SEQLAB_WASM_GATHER !== 'stock') registerRowGather();
}
