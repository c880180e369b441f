/**
 * `UnsortedSegmentSum` for the wasm backend: the gradient of `gather`, hence of every
 * embedding layer. tfjs-backend-wasm 4.22 ships no implementation.
 */
import { UnsortedSegmentSum, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { readValues, writeOutput } from './wasm-io.ts';

/**
 * `out[s, ...] = Σ x[i, ...]` over all `i` with `segmentIds[i] = s`. `segmentIds` may have any
 * shape that prefixes `x`'s; ids outside `[0, numSegments)` are dropped, as in TensorFlow.
 */
export function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs: { x, segmentIds }, backend, attrs: { numSegments } } = args;
  const idsRank = segmentIds.shape.length;
  util.assert(
    util.arraysEqual(segmentIds.shape, x.shape.slice(0, idsRank)),
    () => `unsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must prefix x shape [${x.shape}]`,
  );
  const xVals = readValues(backend, x);
  const ids = readValues(backend, segmentIds);
  const inner = util.sizeFromShape(x.shape.slice(idsRank));
  // Accumulate in float64 so the result does not depend on summation order as much as float32 would.
  const acc = new Float64Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) acc[dst + j]! += xVals[src + j] as number;
  }
  return writeOutput(backend, [numSegments, ...x.shape.slice(idsRank)], x.dtype, acc);
}

/** Kernel registration for the wasm backend. */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
