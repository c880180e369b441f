/**
 * Encoder–decoder with attention for token sequences (Sutskever et al. 2014; Bahdanau et al.
 * 2015; Luong et al. 2015), trained with teacher forcing at a given ratio — scheduled sampling,
 * Bengio et al. 2015 — and decoded greedily or by beam search (`lib/ml/decoding`).
 */
import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers/common.ts';
import { coveragePenalty } from '../layers/coverage-attention.ts';
import { greedyDecode } from '../decoding/greedy.ts';
import type { Decodable, StepOutput } from '../decoding/types.ts';
import { type AttentionKind, type AttentionStep, makeAttention } from './attention-step.ts';
import { makeBridge } from './bridge.ts';
import { type Encoder, type EncoderOutput, convEncoder, rnnEncoder } from './encoders.ts';
import { type Rnn, type RnnKind, type RnnState, makeRnn } from './rnn.ts';
import { Model } from './model.ts';
import { type Rng, deriveSeed, rng as seededRng } from '../random.ts';
import { transformerEncoder } from './transformer-encoder.ts';
import type { NamedWeight } from './weights.ts';

/** Which encoder, with its own knobs (widths come from the model config). */
export type EncoderSpec =
  | { kind: 'rnn'; cell?: RnnKind; bidirectional?: boolean; merge?: 'concat' | 'sum' }
  | { kind: 'conv'; layers?: number; kernelSize?: number; hiddenDim?: number; maxLen?: number }
  | { kind: 'transformer'; layers?: number; heads?: number; ffDim?: number; norm?: 'pre' | 'post'; dropout?: number };

/** Configuration of {@link Seq2Seq}; saved next to the weights. */
export interface Seq2SeqConfig {
  srcVocab: number;
  tgtVocab: number;
  /** Fed to the decoder before the first target token. */
  startToken: number;
  /** Last token of every target; ends decoding. */
  endToken: number;
  /** Padding id of sources and targets (default 0); padded target steps carry no loss. */
  padId?: number;
  /** Embedding width of source and target tokens (default 32). */
  embedDim?: number;
  /** Decoder (and RNN encoder) units (default 64). */
  units?: number;
  /** Default: unidirectional LSTM. */
  encoder?: EncoderSpec;
  /** Decoder cell (default 'lstm'). */
  cell?: RnnKind;
  /** Default 'general'. */
  attention?: AttentionKind;
  /** Hidden width of concat/additive/coverage scores (default: encoder width). */
  attentionUnits?: number;
  /** Heads of 'multi-head' attention (default 4). */
  heads?: number;
  /** Probability of feeding the gold previous token while training (default 1 = teacher forcing). */
  teacherForcingRatio?: number;
  /** λ of the coverage loss Σ_t Σ_i min(a_ti, c_ti) (See et al. 2017); default 0 = off. */
  coverageWeight?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Clip gradients to this global norm (default 5; 0 = off). */
  clipNorm?: number;
  seed: number;
}

/**
 * A training batch: ragged lists are padded with `padId`. Targets end with `endToken`; a
 * leading `startToken` (as `lib/ml/data` writes them: START … END PAD…) is dropped, since the
 * decoder is fed the start token itself.
 */
export interface Seq2SeqBatch {
  src: number[][];
  tgt: number[][];
}

/** Decoder state: the cell's state and the attention's carried state (coverage; else empty). */
export interface Seq2SeqState {
  rnn: RnnState;
  attn: tf.Tensor2D[];
}

/** Pad ragged rows to an int32 tensor. */
export function padTokens(rows: number[][], padId: number): tf.Tensor2D {
  const t = Math.max(1, ...rows.map((r) => r.length));
  return tf.tensor2d(rows.map((r) => [...r, ...Array<number>(t - r.length).fill(padId)]), [rows.length, t], 'int32');
}

/** The encoder's output plus the attention's per-source precomputation ({@link AttentionStep.prepare}). */
export type Seq2SeqEncoding = EncoderOutput & { prepared?: tf.Tensor3D };

/** The encoder–decoder; see the file comment. */
export class Seq2Seq extends Model<Seq2SeqConfig, Seq2SeqBatch> implements Decodable<Seq2SeqEncoding, Seq2SeqState> {
  static readonly kind = 'seq2seq';
  readonly kind = Seq2Seq.kind;
  readonly padId: number;
  /** May be changed between epochs (e.g. a decaying schedule). */
  teacherForcingRatio: number;
  private readonly encoder: Encoder;
  private readonly rnn: Rnn;
  private readonly attention: AttentionStep;
  private readonly bridge: (s: RnnState) => RnnState;
  private readonly tgtEmbedding: tf.Variable;
  private readonly combine: tf.Variable;
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;
  private readonly rng: Rng;

  constructor(config: Seq2SeqConfig) {
    super(config, { learningRate: config.learningRate ?? 0.01, clipNorm: config.clipNorm ?? 5 });
    this.padId = config.padId ?? 0;
    this.teacherForcingRatio = config.teacherForcingRatio ?? 1;
    const embedDim = config.embedDim ?? 32;
    const units = config.units ?? 64;
    const cell = config.cell ?? 'lstm';
    this.encoder = makeEncoder(config.encoder ?? { kind: 'rnn' }, {
      vocabSize: config.srcVocab, embedDim, units, padId: this.padId, seed: this.store.nextSeed(),
    });
    this.tgtEmbedding = this.store.create('decoder/embedding', [config.tgtVocab, embedDim], 'normal');
    this.rnn = makeRnn(cell, units, { inputDim: embedDim, seed: this.store.nextSeed(), name: `decoder/${cell}` });
    this.bridge = makeBridge(this.store, 'bridge', this.encoder, cell, units);
    this.attention = makeAttention(config.attention ?? 'general', {
      queryDim: units, keyDim: this.encoder.outputDim, units: config.attentionUnits, heads: config.heads ?? 4,
      seed: this.store.nextSeed(), name: 'decoder/attention',
    });
    // Luong et al. 2015 eq. 5: h̃ = tanh(W_c [c; h]), then logits = W_s h̃ + b.
    this.combine = this.store.create('decoder/combine/kernel', [this.attention.contextDim + units, units]);
    this.outKernel = this.store.create('decoder/output/kernel', [units, config.tgtVocab]);
    this.outBias = this.store.create('decoder/output/bias', [config.tgtVocab], 'zeros');
    this.rng = seededRng(deriveSeed(config.seed, 'teacher-forcing'));
  }

  /** Rebuild from a saved config (the kind registry's entry point). */
  static fromConfig(config: Seq2SeqConfig): Seq2Seq {
    return new Seq2Seq(config);
  }

  override weights(): NamedWeight[] {
    return [...this.encoder.weights(), ...this.store.weights(), ...this.rnn.weights(), ...this.attention.weights()];
  }

  encode(src: tf.Tensor2D, training = false): Seq2SeqEncoding {
    const enc = this.encoder.encode(src, undefined, training);
    // The keys' half of the attention score, once per source instead of once per decoder step.
    const prepared = this.attention.prepare?.(enc.outputs);
    return prepared ? { ...enc, prepared } : enc;
  }

  sourceMask(enc: Seq2SeqEncoding): tf.Tensor2D {
    return enc.mask;
  }

  initialState(enc: Seq2SeqEncoding): Seq2SeqState {
    const [b, t] = enc.mask.shape;
    return { rnn: this.bridge(enc.state), attn: this.attention.initialState(b, t) ?? [] };
  }

  step(enc: Seq2SeqEncoding, prev: tf.Tensor1D, state: Seq2SeqState): StepOutput<Seq2SeqState> {
    return tf.tidy(() => {
      const x = tf.gather(this.tgtEmbedding, prev.toInt()) as tf.Tensor2D;
      const rnn = this.rnn.step(x, state.rnn);
      const h = rnn[0] as tf.Tensor2D;
      const att = this.attention.step(h, enc.outputs, enc.values, enc.mask, state.attn.length > 0 ? state.attn : undefined, enc.prepared);
      const features = this.attention.contextDim > 0 ? tf.concat([att.context, h], 1) : h;
      const attentional = tf.tanh(dense(features, this.combine));
      const logits = dense(attentional, this.outKernel, this.outBias) as tf.Tensor2D;
      const result: StepOutput<Seq2SeqState> = { logits, weights: att.weights, state: { rnn, attn: att.state ?? [] } };
      return result as unknown as tf.TensorContainerObject;
    }) as unknown as StepOutput<Seq2SeqState>;
  }

  /**
   * Masked mean cross-entropy (+ λ · coverage loss) of targets (b, T). `feedGold[t][i]` says
   * whether step t+1 of row i is fed the gold token t (else the model's argmax at step t).
   * `training` turns on the encoder's dropout.
   */
  loss(src: tf.Tensor2D, tgt: tf.Tensor2D, feedGold?: boolean[][], training = false): tf.Scalar {
    return tf.tidy(() => {
      const enc = this.encode(src, training);
      const [b, T] = tgt.shape;
      const golds = tf.unstack(tgt.toInt(), 1) as tf.Tensor1D[];
      const masks = tf.unstack(tf.notEqual(tgt, this.padId).toFloat(), 1) as tf.Tensor1D[];
      const lambda = this.config.coverageWeight ?? 0;
      let state = this.initialState(enc);
      let prev: tf.Tensor1D = tf.fill([b], this.config.startToken, 'int32');
      let coverage: tf.Tensor2D = tf.zeros([b, enc.mask.shape[1]]);
      let total: tf.Tensor = tf.scalar(0);
      for (let t = 0; t < T; t++) {
        const gold = golds[t] as tf.Tensor1D;
        const m = masks[t] as tf.Tensor1D;
        const out = this.step(enc, prev, state);
        const logp = tf.logSoftmax(out.logits);
        const nll = tf.neg(tf.mul(tf.oneHot(gold, this.config.tgtVocab), logp).sum(-1));
        total = total.add(nll.mul(m).sum());
        if (lambda > 0) {
          // Multiplying by the 0/1 target mask drops padded steps: min(m·a, c) = m·min(a, c) for c ≥ 0.
          const masked = out.weights.mul(m.expandDims(1)) as tf.Tensor2D;
          total = total.add(coveragePenalty(masked, coverage).mul(b * lambda));
          coverage = coverage.add(masked) as tf.Tensor2D;
        }
        state = out.state;
        const coins = feedGold?.[t];
        if (coins && coins.some((c) => !c)) {
          // Rebuilt from its values: the fed token is data, not a path on the gradient tape
          // (gather's index gradient would otherwise reach argMax and fail).
          const own = tf.tensor1d(tf.argMax(logp, -1).dataSync() as Int32Array, 'int32');
          prev = tf.where(tf.tensor1d(coins.map((c) => (c ? 1 : 0)), 'bool'), gold, own);
        } else {
          prev = gold;
        }
      }
      return total.div(tf.maximum(tf.addN(masks).sum(), 1)) as tf.Scalar;
    });
  }

  /** Draw the teacher-forcing coins of one batch from the model's seeded RNG. */
  private drawCoins(b: number, T: number): boolean[][] | undefined {
    const ratio = this.teacherForcingRatio;
    if (ratio >= 1) return undefined;
    return Array.from({ length: T }, () => Array.from({ length: b }, () => this.rng.next() < ratio));
  }

  /** Targets as a padded tensor, without a leading start token. */
  private targets(rows: number[][]): tf.Tensor2D {
    const start = this.config.startToken;
    return padTokens(rows.map((r) => (r[0] === start ? r.slice(1) : r)), this.padId);
  }

  /** The training loss of a batch, with this batch's teacher-forcing coins. */
  protected batchLoss(batch: Seq2SeqBatch): tf.Scalar {
    const src = padTokens(batch.src, this.padId);
    const tgt = this.targets(batch.tgt);
    return this.loss(src, tgt, this.drawCoins(tgt.shape[0], tgt.shape[1]), true);
  }

  /** Mean masked cross-entropy under teacher forcing, without training. */
  evaluate(batches: readonly Seq2SeqBatch[]): { loss: number } {
    let sum = 0;
    for (const batch of batches) {
      const src = padTokens(batch.src, this.padId);
      const tgt = this.targets(batch.tgt);
      const loss = this.loss(src, tgt);
      sum += loss.dataSync()[0] ?? NaN;
      tf.dispose([src, tgt, loss]);
    }
    return { loss: batches.length > 0 ? sum / batches.length : NaN };
  }

  /** Greedy outputs, end token stripped. `maxLen` defaults to twice the longest source + 2. */
  predict(src: number[][], maxLen?: number): number[][] {
    const limit = maxLen ?? 2 * Math.max(0, ...src.map((s) => s.length)) + 2;
    const { startToken, endToken } = this.config;
    return greedyDecode(this, src, { maxLen: limit, startToken, endToken }).map((h) =>
      h.tokens[h.tokens.length - 1] === endToken ? h.tokens.slice(0, -1) : h.tokens);
  }
}

/** Build the encoder a spec names. */
export function makeEncoder(
  spec: EncoderSpec, o: { vocabSize: number; embedDim: number; units: number; padId: number; seed: number },
): Encoder {
  const input = { vocabSize: o.vocabSize, embedDim: o.embedDim, padId: o.padId, seed: o.seed };
  switch (spec.kind) {
    case 'rnn':
      return rnnEncoder({ ...input, cell: spec.cell ?? 'lstm', units: o.units, bidirectional: spec.bidirectional, merge: spec.merge });
    case 'conv':
      return convEncoder({ ...input, layers: spec.layers, kernelSize: spec.kernelSize, hiddenDim: spec.hiddenDim, maxLen: spec.maxLen });
    case 'transformer':
      return transformerEncoder({ ...input, layers: spec.layers, heads: spec.heads, ffDim: spec.ffDim, norm: spec.norm, dropout: spec.dropout });
  }
}
