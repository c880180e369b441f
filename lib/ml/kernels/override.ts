/**
 * Installing a kernel of our own over the one a backend registered, and taking it off again:
 * the replacement usually falls back to the original for cases it does not handle, and tests
 * and benchmarks switch between the two.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

/** A reversible replacement of one kernel of one backend. */
export interface KernelOverride {
  /** Install over whatever is registered now (idempotent). */
  register(): void;
  /** Put back what was registered before {@link register} (idempotent). */
  unregister(): void;
}

/** `wrap` receives the kernel being replaced and returns the new kernel function. */
export function kernelOverride(kernelName: string, wrap: (base: KernelConfig) => KernelFunc, backendName = 'wasm'): KernelOverride {
  let original: KernelConfig | undefined;
  return {
    register(): void {
      if (original) return;
      const base = tf.getKernel(kernelName, backendName);
      if (!base) throw new Error(`kernelOverride: the ${backendName} backend has no ${kernelName} kernel`);
      original = base;
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel({ ...base, kernelFunc: wrap(base) });
    },
    unregister(): void {
      if (!original) return;
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(original);
      original = undefined;
    },
  };
}
