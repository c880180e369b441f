/**
 * Moving data between the wasm heap and JS for kernels written in TypeScript.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataType, TensorInfo, TypedArray } from '@tensorflow/tfjs';

/** A copy of a tensor's values (readSync slices the heap, so later allocations cannot move it). */
export function readValues(backend: BackendWasm, t: TensorInfo): TypedArray {
  return backend.readSync(t.dataId) as TypedArray;
}

/**
 * Allocate an output tensor on the wasm heap and fill it. The heap view is taken only after
 * `makeOutput`, because allocating may grow the heap and detach earlier views.
 */
export function writeOutput(backend: BackendWasm, shape: number[], dtype: DataType, values: ArrayLike<number>): TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  backend.typedArrayFromHeap(out).set(values);
  return out;
}
