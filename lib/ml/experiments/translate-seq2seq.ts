/**
 * What the token seq2seq experiments (date translation, grapheme → phoneme) share: turning a
 * data bundle's padded id matrices into ragged pairs, training with best-epoch selection on
 * validation exact match (`lib/ml/train`), greedy and beam decoding in batches, and the sequence
 * scores (exact match, token error rate, BLEU on space-joined tokens).
 */
import { beamSearch } from '../decoding/beam.ts';
import { greedyDecode } from '../decoding/greedy.ts';
import { corpusBleu } from '../metrics/bleu.ts';
import { errorRate, exactMatch } from '../metrics/sequence.ts';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { type FitResult, type LrSchedule, fit } from '../train/index.ts';
import type { OnEpoch } from './common.ts';
import { count } from '../params.ts';

/** Evaluation params every token seq2seq experiment has (translate.eval, g2p). */
export const SEQ2SEQ_EVAL_FIELDS = {
  /** Beam width of the beam-search scores. */
  beamWidth: count(),
  /** Beam-search only the first this many test pairs: beam search costs ~k× greedy. */
  beamLimit: count(),
  /** Validate on at most this many validation pairs per epoch. */
  valLimit: count(),
  /** Test examples whose attention is saved. */
  attentionExamples: count(0),
  /** Test examples written to samples.json. */
  samples: count(0),
};

/** Ragged source and target id rows (targets as the bundles write them: START … END). */
export interface Pairs {
  src: number[][];
  tgt: number[][];
}

/** Rows `idx` of a row-major id matrix, each cut to its length (or at the first `padId`). */
export function raggedRows(ids: Int32Array, width: number, idx: ArrayLike<number>, lengths?: Int32Array, padId = 0): number[][] {
  return Array.from(idx, (i) => {
    const row = Array.from(ids.subarray(i * width, (i + 1) * width));
    const len = lengths?.[i] ?? (row.indexOf(padId) === -1 ? width : row.indexOf(padId));
    return row.slice(0, len);
  });
}

/** Target rows without START and END: what decoding should reproduce. */
export function stripSpecials(rows: readonly number[][], startId: number, endId: number): number[][] {
  return rows.map((r) => r.filter((t) => t !== startId && t !== endId));
}

/** Options of {@link trainSeq2Seq}. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Seed and name of the shuffle stream. */
  seed: number;
  stream: string;
  /** Validation pairs for best-epoch selection (exact match of greedy outputs). */
  val: Pairs;
  /**
   * Score of the greedy outputs of `val.src` (higher is better), replacing exact match against
   * `val.tgt`: g2p counts a word right when it matches any of its pronunciations.
   */
  valScore?: (hyps: number[][]) => number;
  /** Longest output to decode on validation. */
  maxLen: number;
  /** Default: constant. */
  schedule?: LrSchedule;
  /** Default: never stop early. */
  patience?: number;
  onEpoch?: OnEpoch;
}

/**
 * Trains `model` on `train` with the library's trainer, keeping the epoch with the best
 * validation exact match (earliest on ties).
 */
export function trainSeq2Seq(model: Seq2Seq, train: Pairs, opts: TrainOptions): FitResult {
  const gold = stripSpecials(opts.val.tgt, model.config.startToken, model.config.endToken);
  const score = opts.valScore ?? ((hyps: number[][]) => exactMatch(gold, hyps));
  return fit(model, {
    examples: Array.from({ length: train.src.length }, (_, i) => i),
    batchSize: opts.batchSize, epochs: opts.epochs, seed: opts.seed, stream: opts.stream,
    batch: (rows) => ({ src: rows.map((r) => train.src[r]!), tgt: rows.map((r) => train.tgt[r]!) }),
    validate: () => ({ val_exact_match: score(decodeGreedy(model, opts.val.src, opts.maxLen).tokens) }),
    monitor: { metric: 'val_exact_match', mode: 'max' },
    ...(opts.schedule ? { schedule: opts.schedule } : {}),
    ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
    onEpoch: opts.onEpoch,
  });
}

/** Greedy outputs (END stripped) and their attention rows (one per output token incl. END; empty without `attention`). */
export function decodeGreedy(model: Seq2Seq, src: readonly number[][], maxLen: number, batchSize = 256, withAttention = true): { tokens: number[][]; attention: number[][][] } {
  const tokens: number[][] = [];
  const attention: number[][][] = [];
  const end = model.config.endToken;
  for (let i = 0; i < src.length; i += batchSize) {
    const hyps = greedyDecode(model, src.slice(i, i + batchSize), { maxLen, startToken: model.config.startToken, endToken: end, attention: withAttention });
    for (const h of hyps) {
      tokens.push(h.tokens[h.tokens.length - 1] === end ? h.tokens.slice(0, -1) : h.tokens);
      attention.push(h.attention);
    }
  }
  return { tokens, attention };
}

/** Beam-search outputs (END stripped). */
export function decodeBeam(model: Seq2Seq, src: readonly number[][], maxLen: number, beamWidth: number, batchSize = 64): number[][] {
  const out: number[][] = [];
  const end = model.config.endToken;
  for (let i = 0; i < src.length; i += batchSize) {
    const hyps = beamSearch(model, src.slice(i, i + batchSize), { maxLen, beamWidth, startToken: model.config.startToken, endToken: end });
    for (const h of hyps) out.push(h.tokens[h.tokens.length - 1] === end ? h.tokens.slice(0, -1) : h.tokens);
  }
  return out;
}

/** Exact match and token error rate (fractions) and corpus BLEU (0–100). */
export interface SequenceScores {
  exact_match: number;
  token_error_rate: number;
  bleu: number;
}

/**
 * Scores of decoded token rows against references. BLEU is sacreBLEU's corpus BLEU over the
 * tokens joined by spaces (characters for dates, phonemes for g2p), tokenizer 'none'.
 */
export function sequenceScores(refs: readonly number[][], hyps: readonly number[][], toText: (ids: readonly number[]) => string[]): SequenceScores {
  const joined = (rows: readonly number[][]): string[] => rows.map((r) => toText(r).join(' '));
  const hypText = joined(hyps);
  // sacreBLEU skips empty references; every reference here has at least one token.
  return {
    exact_match: exactMatch(refs, hyps),
    token_error_rate: errorRate(refs, hyps),
    bleu: corpusBleu(hypText, [joined(refs)], { tokenize: 'none' }).score,
  };
}
