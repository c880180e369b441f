/**
 * Tanh and Sigmoid for the wasm backend through this project's WebAssembly-SIMD kernels
 * (lib/ml/wasm/kernels.as.ts, the same polynomial the fused recurrences use). tfjs-backend-wasm
 * 4.22 evaluates them with scalar libm calls: ~18 ns per element, ~1 ms per batch for the
 * attention pooling's (32, 50, 32) tanh in the GRU benchmark (bench/profile-train.ts). Values
 * agree with the stock kernels within ~2e-7 absolute. Gradients are unchanged (tfjs computes
 * them from the outputs with other kernels).
 *
 * Registered by default with the other wasm kernels; `SEQLAB_WASM_ACTIVATIONS=stock` keeps the stock ones.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelArena } from '../wasm/kernels.ts';
import { kernelOverride } from './override.ts';

/** Below this many elements the stock kernel's lower fixed cost wins. */
const MIN_SIZE = 1024;

function simdUnary(name: 'Tanh' | 'Sigmoid', base: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs: { x }, backend } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm };
    const n = x.shape.reduce((p, d) => p * d, 1);
    if (x.dtype !== 'float32' || n < MIN_SIZE) return base.kernelFunc(args);
    const A = kernelArena();
    A.reset();
    const p = A.put(backend.typedArrayFromHeap(x) as Float32Array);
    if (name === 'Tanh') A.k.tanhArray(p, p, n);
    else A.k.sigmoidArray(p, p, n);
    const out = backend.makeOutput(x.shape, 'float32');
    backend.typedArrayFromHeap(out).set(A.view(p, n));
    return out;
  };
}

const overrides = (['Tanh', 'Sigmoid'] as const).map((name) => kernelOverride(name, (base) => simdUnary(name, base)));

/** Replace the wasm Tanh and Sigmoid by the SIMD ones. Idempotent. */
export function registerSimdActivations(): void {
  for (const o of overrides) o.register();
}

/** Put the stock wasm Tanh and Sigmoid back. */
export function unregisterSimdActivations(): void {
  for (const o of overrides) o.unregister();
}
