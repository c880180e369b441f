/**
 * Shared checks for the layer tests, plus plain-JS reference maths (nested arrays and loops,
 * no tfjs) so the numeric checks are independent of the code under test.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { type GradCheckOptions, gradCheck, layerVariables, projectToScalar } from '../grad-check.ts';

export type Mat = number[][];

/** Seeded inputs so every run sees the same numbers. */
export function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/**
 * Call the layer once to build it, then assert that a further call creates exactly its
 * outputs and nothing else (no intermediate left behind).
 */
export function expectNoLeak(layer: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> = {}): void {
  tf.dispose(layer.apply(inputs, kwargs) as tf.Tensor | tf.Tensor[]);
  const before = tf.memory().numTensors;
  const out = layer.apply(inputs, kwargs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  expect(tf.memory().numTensors).toBe(before + outs.length);
  tf.dispose(outs);
  expect(tf.memory().numTensors).toBe(before);
}

/**
 * getConfig → JSON → fromConfig (through the class registry), copy the weights, and expect
 * identical outputs.
 */
export function expectRoundTrip(layer: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): tf.layers.Layer {
  const className = (layer.constructor as unknown as { className: string }).className;
  const config = JSON.parse(JSON.stringify(layer.getConfig())) as tf.serialization.ConfigDict;
  // Through the registry, as tf.loadLayersModel would: proves registerClass ran.
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) expect.fail(`${className} is not registered with tf.serialization`);
  const copy = entry[1](entry[0], config) as unknown as tf.layers.Layer;
  expect(copy).toBeInstanceOf(layer.constructor);
  expect(copy.getConfig()).toEqual(layer.getConfig());
  tf.dispose([...toList(layer.apply(inputs) as tf.Tensor | tf.Tensor[]), ...toList(copy.apply(inputs) as tf.Tensor | tf.Tensor[])]);
  const weights = layer.getWeights();
  copy.setWeights(weights);
  const a = toList(layer.apply(inputs) as tf.Tensor | tf.Tensor[]);
  const b = toList(copy.apply(inputs) as tf.Tensor | tf.Tensor[]);
  expect(b.length).toBe(a.length);
  a.forEach((t, i) => expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(t.dataSync())));
  tf.dispose([...a, ...b]);
  return copy;
}

export function toList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

/** Flatten nested arrays of numbers. */
export function flat(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap((y) => flat(y)) : [x as number];
}

/** Element-wise closeness of a tensor to (nested) expected numbers. */
export function expectClose(actual: tf.Tensor, expected: unknown, tol = 1e-5): void {
  const a = Array.from(actual.dataSync());
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    if (Math.abs(v - e[i]!) > tol) expect.fail(`element ${i}: got ${v}, expected ${e[i]} (±${tol})`);
  });
}

/** Nested arrays of a tensor (for feeding the reference maths). */
export function arr<T = Mat>(t: tf.Tensor): T {
  return t.arraySync() as T;
}

// ---- plain-JS reference maths -------------------------------------------------------------

export function matmul(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

export function transpose(a: Mat): Mat {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

export function addRow(a: Mat, bias: number[]): Mat {
  return a.map((row) => row.map((v, j) => v + bias[j]!));
}

export function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

/** Softmax over keys with 0/1 mask: masked keys excluded exactly. */
export function maskedSoftmaxRow(row: number[], mask?: number[]): number[] {
  if (mask === undefined) return softmax(row);
  const kept = row.map((v, j) => (mask[j] ? v : -Infinity));
  return softmax(kept);
}

export function dot(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + v * b[i]!, 0);
}

/** Single-example attention with the given scores function; returns [context, weights]. */
export function attendRef(scores: Mat, values: Mat, mask?: number[]): [Mat, Mat] {
  const w = scores.map((row) => maskedSoftmaxRow(row, mask));
  return [matmul(w, values), w];
}

/**
 * Finite-difference check of a layer w.r.t. its differentiable inputs (listed first) and all its
 * trainable weights; `rest` (masks) follows them in the input list. Run on the cpu backend.
 * Every weight must also receive some gradient (an unused weight is a bug), except those whose
 * names end with one of `opts.invariant` (e.g. key biases: softmax ignores a shift shared by
 * all keys, so their gradient is exactly 0).
 */
export function expectLayerGradients(
  layer: tf.layers.Layer, inputs: tf.Tensor[], rest: tf.Tensor[] = [], opts: GradCheckOptions & { invariant?: string[] } = {},
): void {
  const single = inputs.length === 1 && rest.length === 0;
  const run = (xs: tf.Tensor[]): tf.Scalar =>
    projectToScalar(toList(layer.apply(single ? xs[0]! : [...xs, ...rest]) as tf.Tensor | tf.Tensor[]));
  tf.dispose(tf.tidy(() => run(inputs))); // builds the layer
  const res = gradCheck(run, inputs, layerVariables(layer), opts);
  expect(res.mismatches).toEqual([]);
  expect(res.checked).toBeGreaterThan(inputs.length);
  expect(res.maxAbsGrad).toBeGreaterThan(1e-3);
  for (const [name, g] of Object.entries(res.maxAbsGradByTensor)) {
    const invariant = (opts.invariant ?? []).some((suffix) => name.endsWith(suffix));
    if (invariant) expect(g, `${name} should get no gradient`).toBeLessThan(1e-6);
    else expect(g, `${name} gets no gradient`).toBeGreaterThan(1e-6);
  }
}

/** Plain-JS multi-head attention for one example: returns [output, per-head weights]. */
export function mhaRef(q: Mat, k: Mat, v: Mat, w: Record<string, Mat | number[]>, heads: number, mask?: number[]): [Mat, Mat[]] {
  const proj = (x: Mat, n: string): Mat => addRow(matmul(x, w[`${n}_kernel`] as Mat), w[`${n}_bias`] as number[]);
  const Q = proj(q, 'query'), K = proj(k, 'key'), V = proj(v, 'value');
  const kd = Q[0]!.length / heads, vd = V[0]!.length / heads;
  const cols = (x: Mat, h: number, d: number): Mat => x.map((row) => row.slice(h * d, (h + 1) * d));
  const contexts: Mat[] = [], weights: Mat[] = [];
  for (let h = 0; h < heads; h++) {
    const scores = matmul(cols(Q, h, kd), transpose(cols(K, h, kd))).map((row) => row.map((s) => s / Math.sqrt(kd)));
    const [c, a] = attendRef(scores, cols(V, h, vd), mask);
    contexts.push(c);
    weights.push(a);
  }
  const merged = q.map((_, i) => contexts.flatMap((c) => c[i]!));
  return [addRow(matmul(merged, w.output_kernel as Mat), w.output_bias as number[]), weights];
}

/** Plain-JS layer normalisation of each row. */
export function layerNormRef(x: Mat, gamma: number[], beta: number[], eps: number): Mat {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[j]! + beta[j]!);
  });
}
