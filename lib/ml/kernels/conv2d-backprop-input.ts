/**
 * `Conv2DBackpropInput` for the wasm backend on the SIMD GEMM (lib/ml/wasm/kernels.as.ts): the
 * gradient of conv1d/conv2d with respect to its input. tfjs-backend-wasm 4.22's kernel is a
 * scalar loop: ~90 ms per call for the fconv encoder's (128, 1, 27, 128) gradient, 56 % of the
 * `translate-encoder@conv` stage (kernel profile). Channels-last with a column stride of 1 is
 * a sum over filter taps of GEMMs on contiguous runs: for tap (r, c), each run of output
 * positions of one batch item and row adds dy-run (n × outC) · W[r, c]ᵀ (outC × inC) to the
 * input positions it came from. Other layouts and strides keep the stock kernel.
 *
 * Registered over the stock kernel by default; `SEQLAB_WASM_CONV=stock` keeps the stock one.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelArena } from '../wasm/kernels.ts';
import { kernelOverride } from './override.ts';

function simdBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo | undefined {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const info = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number], filter.shape as [number, number, number, number], strides, 1, pad,
    dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast' || info.strideWidth !== 1) return undefined;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight: sh, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const A = kernelArena();
  A.reset();
  const pdy = A.put(backend.typedArrayFromHeap(dy) as Float32Array);
  const pw = A.put(backend.typedArrayFromHeap(filter) as Float32Array);
  const tapSize = inChannels * outChannels;
  // W[r, c]ᵀ (outC × inC) for every tap, transposed once.
  const pwT = A.alloc(filterHeight * filterWidth * tapSize);
  for (let t = 0; t < filterHeight * filterWidth; t++) A.k.transpose(pw + t * tapSize * 4, inChannels, outChannels, outChannels, pwT + t * tapSize * 4);
  const size = batchSize * inHeight * inWidth * inChannels;
  const pdx = A.zeros(size);
  for (let wr = 0; wr < filterHeight; wr++) {
    const yrMin = Math.max(0, Math.ceil((top - wr) / sh));
    const yrMax = Math.min(outHeight, (inHeight + top - wr) / sh);
    for (let wc = 0; wc < filterWidth; wc++) {
      const ycMin = Math.max(0, left - wc);
      const ycEnd = Math.min(outWidth, inWidth + left - wc);
      if (ycEnd <= ycMin) continue;
      const tapT = pwT + (wr * filterWidth + wc) * tapSize * 4;
      for (let b = 0; b < batchSize; b++) {
        for (let yR = yrMin; yR < yrMax; yR++) {
          const xR = wr + yR * sh - top;
          const dxRow = pdx + (((b * inHeight + xR) * inWidth + (wc + ycMin - left)) * inChannels) * 4;
          const dyRow = pdy + (((b * outHeight + yR) * outWidth + ycMin) * outChannels) * 4;
          A.k.gemm(dyRow, outChannels, 1, tapT, inChannels, dxRow, inChannels, ycEnd - ycMin, outChannels, inChannels, 1);
        }
      }
    }
  }
  const out = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  backend.typedArrayFromHeap(out).set(A.view(pdx, size));
  return out;
}

const override = kernelOverride('Conv2DBackpropInput', (base) => (args) =>
  simdBackpropInput(args as unknown as Parameters<typeof simdBackpropInput>[0]) ?? base.kernelFunc(args));

/** Put the SIMD Conv2DBackpropInput in front of the stock one. Idempotent. */
export const registerSimdConvBackpropInput = override.register;

/** Put the stock wasm Conv2DBackpropInput back. */
export const unregisterSimdConvBackpropInput = override.unregister;
