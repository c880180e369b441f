import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSimdConvBackpropInput, registerWasmKernels, unregisterSimdConvBackpropInput, wasmKernelConfigs } from '../../../lib/ml/kernels/index.ts';
import { useBackend } from '../helpers.ts';
import { evalOn, expectWasmMatchesCpu, values } from './compare.ts';

type Pad = 'same' | 'valid';

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(async () => {
  await useBackend('wasm');
});

describe('registration', () => {
  it('adds every kernel to wasm exactly once, idempotently', () => {
    registerWasmKernels();
    registerWasmKernels();
    for (const k of wasmKernelConfigs) expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc).toBe(k.kernelFunc);
    expect(wasmKernelConfigs.map((k) => k.kernelName)).toEqual(expect.arrayContaining([
      'UnsortedSegmentSum', 'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
    ]));
  });
});

describe('UnsortedSegmentSum', () => {
  it('matches a hand-computed case, dropping out-of-range ids', async () => {
    const [out] = await evalOn('wasm', () => [
      tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([2, 0, 2, 5], 'int32'), 3),
    ]);
    expect(Array.from(out!)).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('keeps int32 values exact', async () => {
    await useBackend('wasm');
    const t = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(t.dtype).toBe('int32');
    expect(Array.from(await t.data())).toEqual([3, 3]);
    t.dispose();
  });

  it('accepts 2-d ids that prefix the data shape (cpu cannot; checked by hand)', async () => {
    const [out] = await evalOn('wasm', () => [
      tf.unsortedSegmentSum(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), tf.tensor2d([[1, 0], [1, 1]], [2, 2], 'int32') as unknown as tf.Tensor1D, 2),
    ]);
    expect(Array.from(out!)).toEqual([3, 4, 13, 16]);
  });

  it('forward and gradient match cpu (rank 3 data)', async () => {
    await expectWasmMatchesCpu(() => {
      const x = tf.tensor3d(values(6 * 3 * 4), [6, 3, 4]);
      const ids = tf.tensor1d([0, 3, 1, 3, 3, 0], 'int32');
      const f = (a: tf.Tensor) => tf.unsortedSegmentSum(a, ids, 4);
      const w = tf.tensor3d(values(4 * 3 * 4, 1), [4, 3, 4]);
      const g = tf.grad((a: tf.Tensor) => f(a).mul(w).sum())(x);
      return [f(x), g];
    });
  });

  it('trains an embedding on wasm exactly as on cpu', async () => {
    const run = () => {
      const table = tf.variable(tf.tensor2d(values(10 * 3), [10, 3]));
      const ids = tf.tensor2d([[1, 4, 4], [9, 0, 1]], [2, 3], 'int32');
      const opt = tf.train.sgd(0.5);
      for (let step = 0; step < 3; step++) {
        opt.minimize(() => tf.gather(table, ids).sum(2).square().mean() as tf.Scalar);
      }
      const out = table.clone();
      table.dispose();
      opt.dispose();
      return [out];
    };
    await expectWasmMatchesCpu(run);
  });
});

describe('Conv2DBackpropFilter', () => {
  // tol: float32 sums of a few hundred products, in both backends' kernels (cpu's too).
  const cases: Array<{ name: string; x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: Pad; tol?: number }> = [
    { name: '3x3 same stride 1', x: [2, 5, 6, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { name: '3x2 valid stride 2', x: [1, 7, 6, 2], f: [3, 2, 2, 3], s: 2, pad: 'valid' },
    { name: '4x4 same stride [2,1]', x: [2, 6, 5, 1], f: [4, 4, 1, 2], s: [2, 1], pad: 'same' },
    { name: '1x3 same, 40 → 70 channels (conv1d-like, SIMD GEMM edges)', x: [3, 1, 33, 40], f: [1, 3, 40, 70], s: 1, pad: 'same', tol: 1e-4 },
  ];
  for (const c of cases) {
    it(`filter gradient of conv2d matches cpu: ${c.name}`, async () => {
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b)), c.x);
        const f = tf.tensor4d(values(c.f.reduce((a, b) => a * b), 2), c.f);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad).square().sum())([x, f]);
        return [dx!, df!];
      }, c.tol);
    });
  }

  it('the kernel itself matches cpu in NHWC and NCHW', async () => {
    for (const dataFormat of ['NHWC', 'NCHW'] as const) {
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor4d(values(2 * 3 * 5 * 4), dataFormat === 'NHWC' ? [2, 5, 4, 3] : [2, 3, 5, 4]);
        const dy = tf.tensor4d(values(2 * 2 * 3 * 2, 1), dataFormat === 'NHWC' ? [2, 3, 2, 2] : [2, 2, 3, 2]);
        const attrs = { strides: [2, 2], pad: 'same', dataFormat, filterShape: [3, 3, 3, 2] };
        const k = (a: tf.Tensor, b: tf.Tensor) =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: a, dy: b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        return [k(x, dy)];
      });
    }
  });

  it('the SIMD Conv2DBackpropInput is installed and equals the stock wasm kernel (conv1d, odd widths)', async () => {
    await useBackend('wasm');
    const x = tf.tensor3d(values(5 * 19 * 13), [5, 19, 13]);
    const f = tf.tensor3d(values(3 * 13 * 21, 3), [3, 13, 21]);
    const dx = (): Float32Array => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.conv1d(a as tf.Tensor3D, f, 1, 'same').square().sum())(x).dataSync() as Float32Array);
    const installed = tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc;
    const ours = dx();
    unregisterSimdConvBackpropInput();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc).not.toBe(installed);
    const stock = dx();
    registerSimdConvBackpropInput();
    let worst = 0;
    for (let i = 0; i < stock.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - stock[i]!) / Math.max(1, Math.abs(stock[i]!)));
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([x, f]);
  });

  it('conv1d layer training steps match cpu', async () => {
    const run = () => {
      const x = tf.tensor3d(values(3 * 8 * 2), [3, 8, 2]);
      const f = tf.variable(tf.tensor3d(values(3 * 2 * 4, 5), [3, 2, 4]));
      const opt = tf.train.adam(0.05);
      for (let step = 0; step < 3; step++) opt.minimize(() => tf.conv1d(x, f, 1, 'same').tanh().sum().square() as tf.Scalar);
      const out = f.clone();
      f.dispose();
      opt.dispose();
      return [out];
    };
    await expectWasmMatchesCpu(run, 1e-4);
  });
});

describe('DepthwiseConv2dNative backprops', () => {
  const cases: Array<{ name: string; x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad }> = [
    { name: 'multiplier 1, same', x: [2, 5, 5, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' },
    { name: 'multiplier 2, valid, stride 2', x: [1, 7, 6, 2], f: [3, 2, 2, 2], s: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`input and filter gradients match cpu: ${c.name}`, async () => {
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b)), c.x);
        const f = tf.tensor4d(values(c.f.reduce((a, b) => a * b), 2), c.f);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad).square().sum())([x, f]);
        return [dx!, df!];
      });
    });
  }

  it('separableConv2d gradients match cpu', async () => {
    await expectWasmMatchesCpu(() => {
      const x = tf.tensor4d(values(1 * 6 * 6 * 2), [1, 6, 6, 2]);
      const d = tf.tensor4d(values(3 * 3 * 2 * 2, 1), [3, 3, 2, 2]);
      const p = tf.tensor4d(values(4 * 3, 2), [1, 1, 4, 3]);
      const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 1, 'same').square().sum())([x, d, p]);
      return gs;
    });
  });
});
