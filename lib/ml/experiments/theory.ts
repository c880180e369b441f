/**
 * Why dot-product attention divides by √d_k (Vaswani et al. 2017, §3.2.1): with q, k of
 * independent unit-variance components, q·k has variance d_k, so unscaled scores grow with d_k,
 * the softmax saturates (entropy → 0, max weight → 1) and its gradient vanishes. This measures
 * that on random Q, K, V for each d_k, scaled and unscaled, in plain float64 (no tfjs: the point
 * is the arithmetic, and the numbers must not depend on a backend).
 *
 * Output: `scaling.json` in `ctx.outDir`, one series per statistic for the figure.
 */
import path from 'node:path';
import { type Rng, deriveSeed, rng as seededRng } from '../random.ts';
import { type RunContext, writeJson } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, listOf, obj } from '../params.ts';
import { SEED } from './train-params.ts';

/** The `theory` section of pipeline.yaml: one declaration, type and check alike. */
export const THEORY_PARAMS = obj({
  /** Key dimensions to test, e.g. [4, 16, 64, 256, 1024]. */
  dims: listOf(count()),
  /** Query rows per trial. */
  queries: count(),
  /** Key (and value) rows per trial. */
  keys: count(2),
  /** Independent draws averaged per d_k. */
  trials: count(),
  /** Value width. */
  valueDim: count(),
});

/** The params of the `theory` stage. */
export const THEORY_STAGE_PARAMS = obj({ seed: SEED, theory: THEORY_PARAMS });

/** Params of the theory stage (`theory` in pipeline.yaml, plus `seed`). */
export type TheoryParams = Infer<typeof THEORY_PARAMS> & { seed: number };

/** Check a `theory` stage's params (see `lib/ml/params.ts`). */
export const validateTheoryParams = (raw: unknown): ParamCheck<Infer<typeof THEORY_STAGE_PARAMS>> => checkParams(THEORY_STAGE_PARAMS, raw);

/** Averages over trials and query rows for one d_k and one scaling. */
export interface AttentionStatistics {
  /** Softmax entropy in nats (uniform = ln(keys)). */
  entropy: number;
  /** Largest weight of a row. */
  max_weight: number;
  /** Standard deviation of the scores (≈ √d_k unscaled, ≈ 1 scaled). */
  score_std: number;
  /** Frobenius norm of the softmax Jacobian diag(p) − ppᵀ per row: how much gradient gets through. */
  softmax_jacobian_norm: number;
  /** ‖∂L/∂Q‖_F per query row for L = Σ (softmax(s·QKᵀ)V ⊙ G), G random. */
  grad_norm_q: number;
}

/** The figure's data: one entry per d_k. */
export interface TheoryResult {
  dims: number[];
  keys: number;
  /** ln(keys): the entropy of uniform attention, for reference. */
  max_entropy: number;
  scaled: AttentionStatistics[];
  unscaled: AttentionStatistics[];
}

function normals(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** Statistics of softmax(scale · Q Kᵀ) V for Q (m×d), K (n×d), V (n×dv), upstream gradient G (m×dv). */
function measure(q: Float64Array, k: Float64Array, v: Float64Array, g: Float64Array, m: number, n: number, d: number, dv: number, scale: number): AttentionStatistics {
  let entropy = 0;
  let maxWeight = 0;
  let jac = 0;
  let gradSq = 0;
  let sum = 0;
  let sumSq = 0;
  const s = new Float64Array(n);
  const p = new Float64Array(n);
  const dp = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    let hi = -Infinity;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c]! * k[j * d + c]!;
      s[j] = scale * dot;
      sum += s[j]!;
      sumSq += s[j]! * s[j]!;
      if (s[j]! > hi) hi = s[j]!;
    }
    let z = 0;
    for (let j = 0; j < n; j++) z += (p[j] = Math.exp(s[j]! - hi));
    let rowMax = 0;
    let sq = 0;
    for (let j = 0; j < n; j++) {
      const pj = (p[j] = p[j]! / z);
      if (pj > 0) entropy -= pj * Math.log(pj);
      rowMax = Math.max(rowMax, pj);
      sq += pj * pj;
    }
    maxWeight += rowMax;
    // ‖diag(p) − ppᵀ‖²_F = Σ p² − 2 Σ p³ + (Σ p²)²
    let cube = 0;
    for (let j = 0; j < n; j++) cube += p[j]! ** 3;
    jac += Math.sqrt(Math.max(sq - 2 * cube + sq * sq, 0));
    // dL/dP = G Vᵀ; dL/dS = P ⊙ (dP − ⟨dP, P⟩); dL/dQ = scale · dS K
    let inner = 0;
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let c = 0; c < dv; c++) acc += g[i * dv + c]! * v[j * dv + c]!;
      dp[j] = acc;
      inner += acc * p[j]!;
    }
    for (let c = 0; c < d; c++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += p[j]! * (dp[j]! - inner) * k[j * d + c]!;
      gradSq += (scale * acc) ** 2;
    }
  }
  const count = m * n;
  const mean = sum / count;
  return {
    entropy: entropy / m,
    max_weight: maxWeight / m,
    score_std: Math.sqrt(Math.max(sumSq / count - mean * mean, 0)),
    softmax_jacobian_norm: jac / m,
    grad_norm_q: Math.sqrt(gradSq / m),
  };
}

function average(list: AttentionStatistics[]): AttentionStatistics {
  const keys = Object.keys(list[0]!) as (keyof AttentionStatistics)[];
  return Object.fromEntries(keys.map((key) => [key, list.reduce((a, s) => a + s[key], 0) / list.length])) as unknown as AttentionStatistics;
}

/** Runs the measurement for every d_k and writes `scaling.json`; see the file comment. */
export async function run(params: TheoryParams, ctx: RunContext): Promise<TheoryResult> {
  if (params.trials < 1 || params.queries < 1 || params.keys < 2) throw new Error('theory: need trials ≥ 1, queries ≥ 1, keys ≥ 2');
  const dv = params.valueDim;
  const result: TheoryResult = { dims: [...params.dims], keys: params.keys, max_entropy: Math.log(params.keys), scaled: [], unscaled: [] };
  for (const [i, d] of params.dims.entries()) {
    const scaled: AttentionStatistics[] = [];
    const unscaled: AttentionStatistics[] = [];
    for (let t = 0; t < params.trials; t++) {
      // One stream per (d_k, trial): adding a d_k to the list does not change the others.
      const rng = seededRng(deriveSeed(params.seed, `theory/${d}/${t}`));
      const q = normals(rng, params.queries * d);
      const k = normals(rng, params.keys * d);
      const v = normals(rng, params.keys * dv);
      const g = normals(rng, params.queries * dv);
      scaled.push(measure(q, k, v, g, params.queries, params.keys, d, dv, 1 / Math.sqrt(d)));
      unscaled.push(measure(q, k, v, g, params.queries, params.keys, d, dv, 1));
    }
    result.scaled.push(average(scaled));
    result.unscaled.push(average(unscaled));
    ctx.onEpoch?.(i + 1, params.dims.length, { d_k: d });
  }
  await writeJson(path.join(ctx.outDir, 'scaling.json'), result);
  return result;
}
