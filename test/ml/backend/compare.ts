/**
 * Run the same computation on the cpu and wasm backends and compare, for kernel tests.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { initBackend } from '../../../lib/ml/backend.ts';

/** Deterministic, non-trivial test values in [-1, 1) without depending on any PRNG under test. */
export function values(n: number, phase = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(1.7 * i + 0.3 + phase) * Math.cos(0.37 * i + phase);
  return out;
}

/** Evaluate `fn` on a backend and read every resulting tensor back to plain arrays. */
export async function evalOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend({ backend, log: () => {} });
  const before = tf.memory().numTensors;
  const outs = tf.tidy(fn);
  const arrays = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outs);
  expect(tf.memory().numTensors).toBe(before);
  return arrays;
}

/**
 * `fn` gives the same results on wasm as on cpu, element by element within `tol`, relative for
 * elements larger than 1: float32 sums of tens of terms differ in the last bits between backends.
 */
export async function expectWasmMatchesCpu(fn: () => tf.Tensor[], tol = 1e-5): Promise<Float32Array[]> {
  const cpu = await evalOn('cpu', fn);
  const wasm = await evalOn('wasm', fn);
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((c, k) => {
    const w = wasm[k]!;
    expect(w.length).toBe(c.length);
    let worst = 0;
    for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i]! - w[i]!) / Math.max(1, Math.abs(c[i]!)));
    expect(worst, `output ${k}`).toBeLessThanOrEqual(tol);
  });
  return wasm;
}
