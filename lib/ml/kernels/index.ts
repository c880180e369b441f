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
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';

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
 */
export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) {
    if (getKernel(config.kernelName, 'wasm') === undefined) registerKernel(config);
  }
}
