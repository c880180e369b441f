/** Coverage attention: additive attention that sees what it has already attended to. */
import * as tf from '@tensorflow/tfjs';
import { additiveScoresFrom } from './bahdanau-attention.ts';
import {
  type BaseLayerArgs, type Kwargs, dense, glorot, inputAt, lastDim, maskedSoftmax, shapeAt, toList,
} from './common.ts';
import { MultiInputLayer } from './multi-input-layer.ts';

/** Options of {@link CoverageAttention}. */
export interface CoverageAttentionArgs extends BaseLayerArgs {
  /** Width of the hidden layer inside the score. */
  units: number;
  /** Initialiser seed (deterministic weights). */
  seed?: number;
}

/**
 * e_i^t = vᵀ tanh(W_h h_i + W_s s_t + w_c c_i^t + b) with coverage c^t = Σ_{t'<t} a^{t'} — See,
 * Liu & Manning 2017, "Get To The Point", eq. 11, after Tu et al. 2016, "Modeling Coverage for
 * Neural Machine Translation". Discouraging re-attention fights repetition.
 *
 * One decoder step per call: inputs `[query (b,dq), memory (b,tk,dm), coverage (b,tk), mask?]`
 * (mask (b,tk), 1 = real; start with zero coverage). Outputs `[context (b,dm),
 * weights (b,tk), newCoverage (b,tk)]` with newCoverage = coverage + weights.
 */
export class CoverageAttention extends MultiInputLayer {
  static readonly className = 'CoverageAttention';
  readonly units: number;
  readonly seed: number | undefined;
  private w1?: tf.LayerVariable;
  private w2?: tf.LayerVariable;
  private wc?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private v?: tf.LayerVariable;

  constructor(args: CoverageAttentionArgs) {
    super(args);
    this.units = args.units;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const name = CoverageAttention.className;
    const dq = lastDim(shapeAt(inputShape, 0, name), name);
    const dm = lastDim(shapeAt(inputShape, 1, name), name);
    this.w1 = this.addWeight('query_kernel', [dq, this.units], 'float32', glorot(this.seed, 0));
    this.w2 = this.addWeight('memory_kernel', [dm, this.units], 'float32', glorot(this.seed, 1));
    this.wc = this.addWeight('coverage_kernel', [this.units], 'float32', glorot(this.seed, 3));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.v = this.addWeight('v', [this.units, 1], 'float32', glorot(this.seed, 2));
    this.built = true;
  }

  /** W2 m + b for memory (b,tk,dm): pass it as `kwargs.projectedMemory` to reuse it across steps. */
  projectMemory(memory: tf.Tensor): tf.Tensor3D {
    return dense(memory, this.w2!.read(), this.bias!.read()) as tf.Tensor3D;
  }

  /** `kwargs.projectedMemory`: {@link projectMemory} of this call's memory, computed earlier. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const name = CoverageAttention.className;
      const query = inputAt(xs, 0, name);
      const memory = inputAt(xs, 1, name);
      const coverage = inputAt(xs, 2, name);
      if (query.rank !== 2) throw new Error(`${name}: the query is one decoder step (b, dq), got rank ${query.rank}`);
      // (b,tk) → (b,1,tk,1) · w_c (u) → (b,1,tk,u), the coverage term of every key.
      const coverageTerm = coverage.expandDims(1).expandDims(3).mul(this.wc!.read());
      const wk = (kwargs?.['projectedMemory'] as tf.Tensor | undefined) ?? this.projectMemory(memory);
      const scores = additiveScoresFrom(query.expandDims(1), wk, this.w1!.read(), this.v!.read(), coverageTerm);
      const weights = maskedSoftmax(scores, xs[3]).squeeze([1]);
      const context = tf.matMul(weights.expandDims(1), memory).squeeze([1]);
      return [context, weights, coverage.add(weights)];
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const q = shapeAt(inputShape, 0, CoverageAttention.className);
    const m = shapeAt(inputShape, 1, CoverageAttention.className);
    const b = q[0] ?? null;
    return [[b, m[m.length - 1] ?? null], [b, m[1] ?? null], [b, m[1] ?? null]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), units: this.units };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(CoverageAttention);

/**
 * Coverage loss of See et al. 2017 (eq. 12): Σ_t Σ_i min(a_i^t, c_i^t), averaged over the batch.
 *
 * `weights` is one step's attention (b,tk) — then `coverage` (b,tk) is the coverage *before*
 * that step — or the whole history (b,T,tk), in which case coverage before each step is
 * accumulated here, starting from `coverage` (b,tk) (pass zeros for a fresh sequence).
 * Returns a scalar to add (times a weight λ) to the loss.
 */
export function coveragePenalty(weights: tf.Tensor, coverage: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (weights.rank === 2) return tf.minimum(weights, coverage).sum(-1).mean() as tf.Scalar;
    // Exclusive cumulative sum: coverage before step t is the sum of steps 0..t-1. Summed along
    // the last axis after a transpose: tfjs 4.22's Cumsum gradient on any other axis comes back
    // transposed (wrong values when T = tk, a shape error otherwise).
    const steps = tf.transpose(weights, [0, 2, 1]);
    const before = tf.transpose(tf.cumsum(steps, 2, true), [0, 2, 1]).add(coverage.expandDims(1));
    return tf.minimum(weights, before).sum([1, 2]).mean() as tf.Scalar;
  });
}
