/**
 * BatchMatMul on the wasm backend: XNNPACK (through the transpose-free kernel) against this
 * project's SIMD GEMM (lib/ml/kernels/simd-matmul.ts), operands copied in and out included,
 * on the shapes the training benchmark's models use plus a few large ones. Prints a table of
 * µs per product (median of 7 timed loops after a warm-up) and the ratio; `useSimd` picks per shape.
 *
 *   pnpm tsx bench/matmul.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/ml/backend.ts';
import { forceSimdMatMul, registerSimdMatMul, unregisterSimdMatMul, useSimd } from '../lib/ml/kernels/simd-matmul.ts';
import { markdownTable, median } from './lib/timing.ts';

await initBackend({ backend: 'wasm', log: () => {} });
type Case = [string, number[], number[], boolean, boolean];
const cases: Case[] = [
  ['step h·U', [32, 64], [64, 256], false, false],
  ['projection x·W (d=1)', [1600, 1], [1, 256], false, false],
  ['projection dW = xᵀ·dxp', [1600, 1], [1600, 256], true, false],
  ['attention context (batched)', [32, 10, 50], [32, 50, 128], false, false],
  ['attention dW (batched, Bᵀ)', [32, 10, 128], [32, 50, 128], false, true],
  ['attention dV (batched, Aᵀ)', [32, 10, 50], [32, 10, 128], true, false],
  ['keys·W2', [1600, 128], [128, 64], false, false],
  ['dW2 = keysᵀ·dK', [1600, 128], [1600, 64], true, false],
  ['dense 256²', [256, 256], [256, 256], false, false],
  ['dense 1024²', [1024, 1024], [1024, 1024], false, false],
];
const rows: string[][] = [];
for (const [name, sa, sb, ta, tb] of cases) {
  const a = tf.randomNormal(sa);
  const b = tf.randomNormal(sb);
  const time = (): number => {
    const ts: number[] = [];
    tf.matMul(a, b, ta, tb).dispose();
    // The wasm backend computes synchronously, so timing the op without reading it back is fair.
    const reps = Math.max(1, Math.min(200, Math.round(2e8 / (a.size * b.size / Math.max(1, a.shape.length > 2 ? (a.shape[0] as number) : 1)))));
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) tf.matMul(a, b, ta, tb).dispose();
      ts.push(((performance.now() - t0) * 1000) / reps);
    }
    return median(ts);
  };
  unregisterSimdMatMul();
  const xnn = time();
  registerSimdMatMul();
  forceSimdMatMul(true);
  const simd = time();
  forceSimdMatMul(false);
  const ra = sa.length;
  const batch = sa.length > 2 ? (sa[0] as number) : 1;
  const m = sa[ta ? ra - 1 : ra - 2] as number;
  const k = sa[ta ? ra - 2 : ra - 1] as number;
  const n = sb[tb ? sb.length - 2 : sb.length - 1] as number;
  rows.push([name, `${sa.join('×')}${ta ? 'ᵀ' : ''} · ${sb.join('×')}${tb ? 'ᵀ' : ''}`, xnn.toFixed(0), simd.toFixed(0), (xnn / simd).toFixed(2), useSimd(batch, m, k, n) ? 'SIMD GEMM' : 'XNNPACK']);
  tf.dispose([a, b]);
}
console.log(markdownTable(['product', 'shapes', 'XNNPACK µs', 'SIMD GEMM µs', 'speed-up', 'chosen'], rows));
