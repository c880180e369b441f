/**
 * Finite-difference gradient checker: compares autodiff gradients of a scalar function with
 * respect to its inputs AND a layer's weights against central differences.
 *
 * Float32 caveats drive the defaults: the step is large (1e-2) so that rounding in f (~1e-7·|f|)
 * divided by 2·eps stays far below the tolerance, and the comparison is mixed absolute/relative.
 * Run it on the cpu backend where possible: its float32 arithmetic is the most predictable.
 */
import * as tf from '@tensorflow/tfjs';

let nextId = 0;

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  /** Central-difference step. Default 1e-2. */
  eps?: number;
  /** Absolute tolerance. Default 2e-3. */
  atol?: number;
  /** Relative tolerance (of max(|analytic|, |numeric|)). Default 2e-2. */
  rtol?: number;
  /** Check at most this many elements per tensor (spread evenly). Default 24. */
  maxPerTensor?: number;
}

/** One element that disagrees. */
export interface GradMismatch {
  tensor: string;
  index: number;
  analytic: number;
  numeric: number;
}

/** What was compared and what failed. */
export interface GradCheckResult {
  checked: number;
  mismatches: GradMismatch[];
  /** Largest |analytic| seen: a check over all-zero gradients proves nothing. */
  maxAbsGrad: number;
  /** Largest |analytic| per tensor name, over all its elements: 0 means f ignores that tensor. */
  maxAbsGradByTensor: Record<string, number>;
}

/**
 * Check d fn / d (inputs, weights). `fn` must be deterministic (no dropout) and return a
 * scalar; it receives the inputs as variables. Weights are the layer's variables
 * (`layer.trainableWeights.map((w) => w.read())`), perturbed in place and restored.
 */
export function gradCheck(
  fn: (inputs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  weights: tf.Variable[],
  opts: GradCheckOptions = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 2e-3;
  const rtol = opts.rtol ?? 2e-2;
  const maxPer = opts.maxPerTensor ?? 24;
  const inputVars = inputs.map((x, i) => tf.tidy(() => tf.variable(x.clone(), true, `gradcheck_input_${i}_${nextId++}`)));
  const all: tf.Variable[] = [...inputVars, ...weights];
  const names = [...inputs.map((_, i) => `input[${i}]`), ...weights.map((w) => w.name)];
  const evalF = (): number => tf.tidy(() => fn(inputVars).dataSync()[0] ?? NaN);

  const analytic = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => fn(inputVars), all);
    return all.map((v) => Float32Array.from(grads[v.name]?.dataSync() ?? new Float32Array(v.size)));
  });

  const maxAbsGradByTensor: Record<string, number> = {};
  all.forEach((_, t) => {
    maxAbsGradByTensor[names[t] ?? `#${t}`] = (analytic[t] ?? new Float32Array(0)).reduce((m, g) => Math.max(m, Math.abs(g)), 0);
  });
  const mismatches: GradMismatch[] = [];
  let checked = 0;
  let maxAbsGrad = 0;
  all.forEach((v, t) => {
    const base = v.dataSync().slice();
    const grad = analytic[t] ?? new Float32Array(v.size);
    const stride = Math.max(1, Math.floor(v.size / maxPer));
    for (let idx = 0; idx < v.size; idx += stride) {
      const set = (delta: number): void => {
        const copy = base.slice();
        copy[idx] = (copy[idx] ?? 0) + delta;
        tf.tidy(() => v.assign(tf.tensor(copy, v.shape, v.dtype)));
      };
      set(eps);
      const fPlus = evalF();
      set(-eps);
      const fMinus = evalF();
      const numeric = (fPlus - fMinus) / (2 * eps);
      const a = grad[idx] ?? 0;
      maxAbsGrad = Math.max(maxAbsGrad, Math.abs(a));
      checked++;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)))) {
        mismatches.push({ tensor: names[t] ?? `#${t}`, index: idx, analytic: a, numeric });
      }
    }
    tf.tidy(() => v.assign(tf.tensor(base, v.shape, v.dtype)));
  });
  inputVars.forEach((v) => v.dispose());
  return { checked, mismatches, maxAbsGrad, maxAbsGradByTensor };
}

/**
 * A scalar that depends on every output element with distinct weights: Σ outputs·r for fixed
 * pseudo-random r. Plain sums would hide errors (attention weights always sum to 1).
 */
export function projectToScalar(outputs: tf.Tensor[], seed = 7): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Tensor = tf.scalar(0);
    outputs.forEach((o, i) => {
      const r = tf.randomUniform(o.shape, -1, 1, 'float32', seed + i);
      total = total.add(o.mul(r).sum());
    });
    return total as tf.Scalar;
  });
}

/** The underlying variables of a tfjs layer's trainable weights. */
export function layerVariables(layer: tf.layers.Layer): tf.Variable[] {
  return layer.trainableWeights.map((w) => w.read() as tf.Variable);
}
