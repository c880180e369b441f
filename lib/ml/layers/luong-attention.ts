/** Luong (multiplicative / concat) attention for encoder–decoder models. */
import * as tf from '@tensorflow/tfjs';
import {
  type BaseLayerArgs, type Kwargs, asSequence, dense, glorot, inputAt, lastDim, maskedSoftmax, shapeAt, toList,
} from './common.ts';
import { additiveScoresFrom } from './bahdanau-attention.ts';
import { MultiInputLayer } from './multi-input-layer.ts';

/** Score functions of Luong et al. 2015, §3.1. */
export type LuongScore = 'dot' | 'general' | 'concat';

/** Options of {@link LuongAttention}. */
export interface LuongAttentionArgs extends BaseLayerArgs {
  /** Default 'general'. 'dot' needs query and memory of the same width. */
  score?: LuongScore;
  /** Hidden width of the 'concat' score (ignored otherwise). Default: the memory width. */
  units?: number;
  /** Initialiser seed (deterministic weights). */
  seed?: number;
}

/**
 * Global attention of Luong, Pham & Manning 2015, "Effective Approaches to Attention-based
 * Neural Machine Translation": score(h_t, h̄_s) = h_tᵀ h̄_s (dot), h_tᵀ W_a h̄_s (general) or
 * v_aᵀ tanh(W_a [h_t; h̄_s]) (concat).
 *
 * Inputs: `[query, memory, mask?]` with query (b,dq) for one decoder step or (b,tq,dq),
 * memory = encoder outputs (b,tk,dm) used as keys and values, mask (b,tk) 1 = real.
 * Outputs: `[context, weights]`: (b,dm) and (b,tk) for a step query, else (b,tq,dm), (b,tq,tk).
 */
export class LuongAttention extends MultiInputLayer {
  static readonly className = 'LuongAttention';
  readonly score: LuongScore;
  readonly units: number | undefined;
  readonly seed: number | undefined;
  private kernel?: tf.LayerVariable;
  private queryKernel?: tf.LayerVariable;
  private memoryKernel?: tf.LayerVariable;
  private v?: tf.LayerVariable;

  constructor(args: LuongAttentionArgs = {}) {
    super(args);
    this.score = args.score ?? 'general';
    this.units = args.units;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const name = LuongAttention.className;
    const dq = lastDim(shapeAt(inputShape, 0, name), name);
    const dm = lastDim(shapeAt(inputShape, 1, name), name);
    if (this.score === 'dot' && dq !== dm) {
      throw new Error(`${name}: score 'dot' needs query width ${dq} to equal memory width ${dm}; use 'general'`);
    }
    if (this.score === 'general') {
      this.kernel = this.addWeight('kernel', [dq, dm], 'float32', glorot(this.seed, 0));
    } else if (this.score === 'concat') {
      // W_a [h_t; h̄_s] split into its query and memory halves, so the memory half is
      // computed once per sequence instead of once per (query, key) pair.
      const units = this.units ?? dm;
      this.queryKernel = this.addWeight('query_kernel', [dq, units], 'float32', glorot(this.seed, 0));
      this.memoryKernel = this.addWeight('memory_kernel', [dm, units], 'float32', glorot(this.seed, 1));
      this.v = this.addWeight('v', [units, 1], 'float32', glorot(this.seed, 2));
    }
    this.built = true;
  }

  /**
   * The concat score's memory half W_m h̄_s (b,tk,u); undefined for the other scores. Pass it as
   * `kwargs.projectedMemory` to reuse it across decoder steps.
   */
  projectMemory(memory: tf.Tensor): tf.Tensor3D | undefined {
    return this.score === 'concat' ? (dense(memory, this.memoryKernel!.read()) as tf.Tensor3D) : undefined;
  }

  /** `kwargs.projectedMemory`: {@link projectMemory} of this call's memory, computed earlier. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const xs = toList(inputs);
      const rawQuery = inputAt(xs, 0, LuongAttention.className);
      const memory = inputAt(xs, 1, LuongAttention.className);
      const q = asSequence(rawQuery);
      const weights = maskedSoftmax(this.scores(q, memory, kwargs?.['projectedMemory'] as tf.Tensor | undefined), xs[2]);
      const context = tf.matMul(weights, memory);
      return rawQuery.rank === 2 ? [context.squeeze([1]), weights.squeeze([1])] : [context, weights];
    });
  }

  /** Scores (b,tq,tk) for q (b,tq,dq) against memory (b,tk,dm). */
  private scores(q: tf.Tensor, memory: tf.Tensor, projected?: tf.Tensor): tf.Tensor {
    switch (this.score) {
      case 'dot':
        return tf.matMul(q, memory, false, true);
      case 'general':
        return tf.matMul(dense(q, this.kernel!.read()), memory, false, true);
      case 'concat': {
        // W_a [h_t; h̄_s] = W_q h_t + W_m h̄_s: the additive score (fused unless switched off).
        const wm = projected ?? (this.projectMemory(memory) as tf.Tensor3D);
        return additiveScoresFrom(q, wm, this.queryKernel!.read(), this.v!.read());
      }
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const q = shapeAt(inputShape, 0, LuongAttention.className);
    const m = shapeAt(inputShape, 1, LuongAttention.className);
    const dm = m[m.length - 1] ?? null;
    return q.length === 2 ? [[q[0] ?? null, dm], [q[0] ?? null, m[1] ?? null]]
      : [[q[0] ?? null, q[1] ?? null, dm], [q[0] ?? null, q[1] ?? null, m[1] ?? null]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), score: this.score };
    if (this.units !== undefined) config.units = this.units;
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(LuongAttention);
