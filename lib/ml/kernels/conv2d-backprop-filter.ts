/**
 * `Conv2DBackpropFilter` for the wasm backend: the gradient of conv1d/conv2d with respect to
 * the filter. tfjs-backend-wasm 4.22 implements the input gradient but not this one.
 *
 * Channels-last with a column stride of 1 (every conv1d, most conv2d) runs on the SIMD GEMM
 * (lib/ml/wasm/kernels.as.ts): for each filter tap, input row and batch item, the contiguous
 * run of input positions that tap reads is a (positions × inC) block, and the tap's gradient
 * accumulates blockᵀ · dy-run. Other layouts take the plain loops below (float64 sums).
 */
import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelArena } from '../wasm/kernels.ts';
import { readValues, writeOutput } from './wasm-io.ts';

/**
 * `dW[r, c, i, o] = Σ_{b, y, x} x[b, y·sh + r − top, x·sw + c − left, i] · dy[b, y, x, o]`,
 * for NHWC and NCHW. Dilations are 1, as tfjs-core's conv2d gradient requires.
 */
export function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode,
    false, backend_util.convertConv2DDataFormat(dataFormat),
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  if (info.dataFormat === 'channelsLast' && sw === 1 && x.dtype === 'float32') {
    return simdBackpropFilter(backend, x, dy, { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, sh, filterHeight, filterWidth, top, left });
  }
  const xv = readValues(backend, x);
  const dyv = readValues(backend, dy);
  // Element strides of x and dy per (batch, row, col, channel) in either layout.
  const last = info.dataFormat === 'channelsLast';
  const xs = last
    ? [inHeight * inWidth * inChannels, inWidth * inChannels, inChannels, 1]
    : [inChannels * inHeight * inWidth, inWidth, 1, inHeight * inWidth];
  const ys = last
    ? [outHeight * outWidth * outChannels, outWidth * outChannels, outChannels, 1]
    : [outChannels * outHeight * outWidth, outWidth, 1, outHeight * outWidth];
  const [xb, xr, xc, xd] = xs as [number, number, number, number];
  const [yb, yr, yc, yd] = ys as [number, number, number, number];
  const dW = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let wr = 0; wr < filterHeight; wr++) {
    // Output rows whose receptive field puts filter row wr inside the (unpadded) input.
    const yrMin = Math.max(0, Math.ceil((top - wr) / sh));
    const yrMax = Math.min(outHeight, (inHeight + top - wr) / sh);
    for (let wc = 0; wc < filterWidth; wc++) {
      const ycMin = Math.max(0, Math.ceil((left - wc) / sw));
      const ycMax = Math.min(outWidth, (inWidth + left - wc) / sw);
      for (let d1 = 0; d1 < inChannels; d1++) {
        for (let d2 = 0; d2 < outChannels; d2++) {
          let dot = 0;
          for (let b = 0; b < batchSize; b++) {
            for (let yR = yrMin; yR < yrMax; yR++) {
              const xR = wr + yR * sh - top;
              for (let yC = ycMin; yC < ycMax; yC++) {
                const xC = wc + yC * sw - left;
                dot += (xv[b * xb + xR * xr + xC * xc + d1 * xd] as number)
                  * (dyv[b * yb + yR * yr + yC * yc + d2 * yd] as number);
              }
            }
          }
          dW[((wr * filterWidth + wc) * inChannels + d1) * outChannels + d2] = dot;
        }
      }
    }
  }
  return writeOutput(backend, [filterHeight, filterWidth, inChannels, outChannels], 'float32', dW);
}

interface Geometry {
  batchSize: number; inHeight: number; inWidth: number; inChannels: number;
  outHeight: number; outWidth: number; outChannels: number;
  sh: number; filterHeight: number; filterWidth: number; top: number; left: number;
}

/** The channels-last, unit-column-stride case as GEMMs on strided blocks (see the file comment). */
function simdBackpropFilter(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: Geometry): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, sh, filterHeight, filterWidth, top, left } = g;
  const A = kernelArena();
  A.reset();
  const px = A.put(backend.typedArrayFromHeap(x) as Float32Array);
  const pdy = A.put(backend.typedArrayFromHeap(dy) as Float32Array);
  const size = filterHeight * filterWidth * inChannels * outChannels;
  const pdw = A.zeros(size);
  for (let wr = 0; wr < filterHeight; wr++) {
    const yrMin = Math.max(0, Math.ceil((top - wr) / sh));
    const yrMax = Math.min(outHeight, (inHeight + top - wr) / sh);
    for (let wc = 0; wc < filterWidth; wc++) {
      const ycMin = Math.max(0, left - wc);
      const ycEnd = Math.min(outWidth, inWidth + left - wc);
      if (ycEnd <= ycMin) continue;
      const tap = pdw + (wr * filterWidth + wc) * inChannels * outChannels * 4;
      for (let b = 0; b < batchSize; b++) {
        for (let yR = yrMin; yR < yrMax; yR++) {
          const xR = wr + yR * sh - top;
          const xRow = px + (((b * inHeight + xR) * inWidth + (wc + ycMin - left)) * inChannels) * 4;
          const dyRow = pdy + (((b * outHeight + yR) * outWidth + ycMin) * outChannels) * 4;
          // tap (inC × outC) += xRowᵀ (inC × n) · dyRow (n × outC); xRowᵀ[i][p] = xRow[p·inC + i].
          A.k.gemm(xRow, 1, inChannels, dyRow, outChannels, tap, outChannels, inChannels, ycEnd - ycMin, outChannels, 1);
        }
      }
    }
  }
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  backend.typedArrayFromHeap(out).set(A.view(pdw, size));
  return out;
}

/** Kernel registration for the wasm backend. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
