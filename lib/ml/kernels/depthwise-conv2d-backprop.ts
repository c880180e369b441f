/**
 * `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput` for the wasm
 * backend: the gradients of depthwise and separable convolutions, which tfjs-backend-wasm 4.22
 * lacks. NHWC only, dilation 1, as tfjs-core's depthwiseConv2d gradient requires.
 */
import {
  backend_util, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, util,
} from '@tensorflow/tfjs';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs, DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig,
  KernelFunc, TensorInfo, TypedArray,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { readValues, writeOutput } from './wasm-io.ts';

/**
 * Visit every (input pixel, filter tap, output pixel) triple of a stride-s, dilation-1 depthwise
 * convolution: `f(xOff, fOff, yOff)` gets flat offsets of x[b, xr, xc, 0], f[r, c, 0, 0] and
 * dy[b, yr, yc, 0]; padded positions are skipped.
 */
function forEachTap(info: backend_util.Conv2DInfo, f: (xOff: number, fOff: number, yOff: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight, filterWidth } = info;
  const chMul = outChannels / inChannels;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      for (let yc = 0; yc < outWidth; yc++) {
        const yOff = ((b * outHeight + yr) * outWidth + yc) * outChannels;
        for (let r = 0; r < filterHeight; r++) {
          const xr = yr * sh + r - info.padInfo.top;
          if (xr < 0 || xr >= inHeight) continue;
          for (let c = 0; c < filterWidth; c++) {
            const xc = yc * sw + c - info.padInfo.left;
            if (xc < 0 || xc >= inWidth) continue;
            f(((b * inHeight + xr) * inWidth + xc) * inChannels, (r * filterWidth + c) * inChannels * chMul, yOff);
          }
        }
      }
    }
  }
}

function depthwiseInfo(xShape: number[], filterShape: [number, number, number, number], attrs: {
  strides: [number, number] | number; dilations: [number, number] | number;
  pad: DepthwiseConv2dNativeBackpropFilterAttrs['pad']; dimRoundingMode?: 'floor' | 'round' | 'ceil';
}): backend_util.Conv2DInfo {
  util.assert(backend_util.tupleValuesAreOne(attrs.dilations), () => 'depthwise conv2d gradients on wasm need dilation 1');
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape, attrs.strides, attrs.dilations, attrs.pad,
    attrs.dimRoundingMode, true,
  );
}

/** `dW[r, c, d, m] = Σ x[b, yr·sh + r − top, yc·sw + c − left, d] · dy[b, yr, yc, d·M + m]`. */
export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const info = depthwiseInfo(x.shape, attrs.filterShape, attrs);
  const xv = readValues(backend, x);
  const dyv = readValues(backend, dy);
  const channels = info.outChannels;
  const chMul = channels / info.inChannels;
  const dW = new Float64Array(util.sizeFromShape(attrs.filterShape));
  forEachTap(info, (xOff, fOff, yOff) => {
    // Output channel k = d·M + m reads input channel d and writes filter slot (d, m) = k.
    for (let k = 0; k < channels; k++) {
      dW[fOff + k]! += (xv[xOff + Math.trunc(k / chMul)] as number) * (dyv[yOff + k] as number);
    }
  });
  return writeOutput(backend, [...attrs.filterShape], 'float32', dW);
}

/** `dx[b, yr·sh + r − top, yc·sw + c − left, d] += dy[b, yr, yc, d·M + m] · f[r, c, d, m]`. */
export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const info = depthwiseInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs);
  const dyv = readValues(backend, dy);
  const fv: TypedArray = readValues(backend, filter);
  const channels = info.outChannels;
  const chMul = channels / info.inChannels;
  const dx = new Float64Array(util.sizeFromShape(attrs.inputShape));
  forEachTap(info, (xOff, fOff, yOff) => {
    for (let k = 0; k < channels; k++) {
      dx[xOff + Math.trunc(k / chMul)]! += (dyv[yOff + k] as number) * (fv[fOff + k] as number);
    }
  });
  return writeOutput(backend, [...attrs.inputShape], 'float32', dx);
}

/** Kernel registration for the wasm backend. */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};

/** Kernel registration for the wasm backend. */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
