/**
 * A Reverse for the wasm backend that copies whole rows. tfjs-backend-wasm 4.22 reverses
 * element by element through an index calculation per element: 5–6 ms for a (32, 50, 64)
 * tensor reversed along time (profiled in `bench/profile-train.ts`, ~1 s of a 6 s Bi-LSTM
 * epoch: tf.layers.bidirectional reverses the backward direction's outputs, and the gradient
 * reverses again). Reversing axes that all precede a contiguous inner block is a permutation of
 * blocks, so this copies blocks with `TypedArray.set` (a memcpy each).
 *
 * Registered by default with the other wasm kernels; `SEQLAB_WASM_REVERSE=stock` keeps the stock one.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo, TypedArray } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelOverride } from './override.ts';
import { readValues, writeOutput } from './wasm-io.ts';

/**
 * `x` reversed along `axes` (normalised, any order, duplicates allowed), as a new array of the
 * same type. Exported for tests.
 */
export function reverseValues(vals: TypedArray, shape: readonly number[], axes: readonly number[]): TypedArray {
  const rank = shape.length;
  const out = new (vals.constructor as new (n: number) => TypedArray)(vals.length);
  const reversed = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  if (vals.length === 0) return out;
  if (reversed.size === 0) {
    out.set(vals);
    return out;
  }
  const last = Math.max(...reversed);
  let inner = 1;
  for (let i = last + 1; i < rank; i++) inner *= shape[i] as number;
  // Outer coordinates over axes 0..last, as an odometer; `src` tracks the source block index.
  const dims = shape.slice(0, last + 1) as number[];
  const stride: number[] = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    stride[i] = s;
    s *= dims[i] as number;
  }
  const blocks = s;
  const coord = new Array<number>(dims.length).fill(0);
  let src = 0;
  for (let i = 0; i < dims.length; i++) if (reversed.has(i)) src += ((dims[i] as number) - 1) * (stride[i] as number);
  for (let blk = 0; blk < blocks; blk++) {
    const from = src * inner;
    if (inner === 1) out[blk] = vals[from] as number;
    else out.set(vals.subarray(from, from + inner), blk * inner);
    // Advance the odometer and the source index together.
    for (let i = dims.length - 1; i >= 0; i--) {
      const step = reversed.has(i) ? -(stride[i] as number) : (stride[i] as number);
      if ((coord[i] as number) + 1 < (dims[i] as number)) {
        coord[i] = (coord[i] as number) + 1;
        src += step;
        break;
      }
      src -= step * ((dims[i] as number) - 1);
      coord[i] = 0;
    }
  }
  return out;
}

const reverse = kernelOverride('Reverse', () => (args) => {
  const { inputs: { x }, attrs: { dims }, backend } = args as unknown as {
    inputs: { x: TensorInfo }; attrs: { dims: number | number[] }; backend: BackendWasm;
  };
  const axes = tf.util.parseAxisParam(dims, x.shape);
  return writeOutput(backend, x.shape, x.dtype, reverseValues(readValues(backend, x), x.shape, axes));
});

/** Replace the wasm Reverse by the block-copying one. Idempotent; call after the wasm backend is registered. */
export const registerBlockReverse = reverse.register;

/** Put the stock wasm Reverse back. */
export const unregisterBlockReverse = reverse.unregister;
