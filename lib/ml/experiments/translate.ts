/**
 * Date translation: character-level normalisation of human-written dates ("Tuesday, 3 March
 * 1987", "03/03/87"…) to ISO `1987-03-03` with an attention seq2seq (`Seq2Seq`). One run is one
 * (attention, encoder) pair; the pipeline's matrix stages vary attention with a Bi-LSTM encoder,
 * then the encoder with the best attention. Scores on the test split: exact match, character
 * error rate and BLEU (sacreBLEU corpus BLEU on space-joined characters), greedy and beam.
 *
 * Outputs in `ctx.outDir`: `metrics.json`, `history.json`, `attention.json` (the alignment of a
 * few test examples: source characters × output characters) and `samples.json`.
 */
import path from 'node:path';
import { type DatesData, readDates } from '../data/dates.ts';
import type { Vocabulary } from '../data/vocab.ts';
import { type AttentionKind, ATTENTION_KINDS } from '../models/attention-step.ts';
import { type EncoderSpec, Seq2Seq } from '../models/seq2seq.ts';
import { currentBackend } from './backend.ts';
import { type BackendRecord, type RunContext, secondsSince, writeJson } from './common.ts';
import { writeAttention, writeHistory, writeMetrics, writeSamples } from '../artifacts/index.ts';
import { deriveSeed, rng as seededRng } from '../random.ts';
import {
  type Pairs, type SequenceScores, decodeBeam, decodeGreedy, raggedRows, sequenceScores, stripSpecials, trainSeq2Seq,
} from './translate-seq2seq.ts';

/** Encoders of the encoder comparison. */
export const TRANSLATE_ENCODERS = ['lstm', 'conv', 'transformer'] as const;

/** One of {@link TRANSLATE_ENCODERS}: 'lstm' is the bidirectional LSTM. */
export type TranslateEncoder = (typeof TRANSLATE_ENCODERS)[number];

/** True when `a` names an attention kind. */
export function isAttentionKind(a: string): a is AttentionKind {
  return (ATTENTION_KINDS as readonly string[]).includes(a);
}

/** Params of one translation run (`translate` in pipeline.yaml plus the matrix item). */
export interface TranslateParams {
  seed: number;
  /** A bundle written by `writeDates` (`data/dates`). */
  dataDir: string;
  attention: AttentionKind;
  encoder: TranslateEncoder;
  embedDim: number;
  /** Decoder units; also the Bi-LSTM's units per direction (summed) and the conv encoder's channels. */
  units: number;
  attentionUnits: number;
  /** Heads of multi-head attention and of the transformer encoder. */
  heads: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Probability of feeding the gold previous character while training (1 = teacher forcing). */
  teacherForcing: number;
  /** Beam width of the beam-search scores (default 5). */
  beamWidth?: number;
  /** Beam-search only the first this many test pairs (default all): beam search costs ~k× greedy. */
  beamLimit?: number;
  /** Validate on at most this many validation pairs per epoch (default all). */
  valLimit?: number;
  /** Test examples whose attention is saved (default 6). */
  attentionExamples?: number;
}

/** What `metrics.json` holds. */
export interface TranslateMetrics {
  model: string;
  task: 'seq2seq';
  gate_metric: 'test_exact_match';
  gate_direction: 'max';
  attention: AttentionKind;
  encoder: TranslateEncoder;
  /** Greedy decoding on the whole test split. */
  test_exact_match: number;
  test_bleu: number;
  test_cer: number;
  /** Beam search (width `beam_width`) on the first `beam_examples` test pairs, and greedy on the same pairs. */
  beam_exact_match: number;
  beam_bleu: number;
  beam_cer: number;
  greedy_exact_match_on_beam_examples: number;
  beam_width: number;
  beam_examples: number;
  val_exact_match: number;
  best_epoch: number;
  epochs: number;
  teacher_forcing: number;
  parameters: number;
  train_pairs: number;
  test_pairs: number;
  backend: BackendRecord;
}

/** Result of {@link run}. */
export interface TranslateResult {
  metrics: TranslateMetrics;
}

/** The encoder spec of each {@link TranslateEncoder}. */
export function encoderSpec(encoder: TranslateEncoder, p: { units: number; heads: number; maxLen: number }): EncoderSpec {
  switch (encoder) {
    // Directions summed, not concatenated: keys then have the decoder's width, which 'dot'
    // attention needs, and every attention kind sees the same encoder.
    case 'lstm': return { kind: 'rnn', cell: 'lstm', bidirectional: true, merge: 'sum' };
    case 'conv': return { kind: 'conv', layers: 3, kernelSize: 3, hiddenDim: p.units, maxLen: p.maxLen };
    case 'transformer': return { kind: 'transformer', layers: 2, heads: p.heads };
  }
}

/** Train/val/test pairs of a seq2seq bundle. */
export function splitPairs(
  d: { x: Int32Array; xLengths: Int32Array; y: Int32Array; split: { train: Int32Array; val: Int32Array; test: Int32Array } },
  srcWidth: number, tgtWidth: number, tgtLengths?: Int32Array,
): { train: Pairs; val: Pairs; test: Pairs } {
  const pairs = (idx: Int32Array): Pairs => ({
    src: raggedRows(d.x, srcWidth, idx, d.xLengths), tgt: raggedRows(d.y, tgtWidth, idx, tgtLengths),
  });
  return { train: pairs(d.split.train), val: pairs(d.split.val), test: pairs(d.split.test) };
}

/** Token ids → their strings. */
export function tokensOf(vocab: Vocabulary): (ids: readonly number[]) => string[] {
  return (ids) => ids.map((i) => vocab.tokens[i] ?? '?');
}

/** Trains one (attention, encoder) date translator and writes its outputs; see the file comment. */
export async function run(params: TranslateParams, ctx: RunContext): Promise<TranslateResult> {
  const backend = await currentBackend();
  const data: DatesData = await readDates(params.dataDir);
  const { train, val, test } = splitPairs(data, data.maxSourceLen, data.targetLen);
  const tv = data.targetVocab;
  const model = new Seq2Seq({
    srcVocab: data.sourceVocab.size, tgtVocab: tv.size, startToken: tv.startId, endToken: tv.endId, padId: tv.padId,
    embedDim: params.embedDim, units: params.units, attention: params.attention, attentionUnits: params.attentionUnits,
    heads: params.heads, encoder: encoderSpec(params.encoder, { units: params.units, heads: params.heads, maxLen: data.maxSourceLen }),
    teacherForcingRatio: params.teacherForcing, learningRate: params.lr, seed: params.seed,
    coverageWeight: params.attention === 'coverage' ? 1 : 0,
  });
  const maxLen = data.targetLen; // 10 characters + END, with one to spare
  const valLimit = Math.min(params.valLimit ?? val.src.length, val.src.length);
  const trained = trainSeq2Seq(model, train, {
    epochs: params.epochs, batchSize: params.batchSize, rng: seededRng(deriveSeed(params.seed, `train/translate/${params.attention}/${params.encoder}`)),
    val: { src: val.src.slice(0, valLimit), tgt: val.tgt.slice(0, valLimit) }, maxLen, onEpoch: ctx.onEpoch,
  });

  const evalStart = performance.now();
  const text = tokensOf(tv);
  const gold = stripSpecials(test.tgt, tv.startId, tv.endId);
  const greedy = decodeGreedy(model, test.src, maxLen);
  const g: SequenceScores = sequenceScores(gold, greedy.tokens, text);
  const beamWidth = params.beamWidth ?? 5;
  const nBeam = Math.min(params.beamLimit ?? test.src.length, test.src.length);
  const beam = sequenceScores(gold.slice(0, nBeam), decodeBeam(model, test.src.slice(0, nBeam), maxLen, beamWidth), text);
  const greedyOnBeam = sequenceScores(gold.slice(0, nBeam), greedy.tokens.slice(0, nBeam), text);
  ctx.onTiming?.('train', trained.trainTimeS);
  ctx.onTiming?.('eval', secondsSince(evalStart));

  const name = `translate-${params.attention}-${params.encoder}`;
  const metrics: TranslateMetrics = {
    model: name,
    task: 'seq2seq',
    gate_metric: 'test_exact_match',
    gate_direction: 'max',
    attention: params.attention,
    encoder: params.encoder,
    test_exact_match: g.exact_match,
    test_bleu: g.bleu,
    test_cer: g.token_error_rate,
    beam_exact_match: beam.exact_match,
    beam_bleu: beam.bleu,
    beam_cer: beam.token_error_rate,
    greedy_exact_match_on_beam_examples: greedyOnBeam.exact_match,
    beam_width: beamWidth,
    beam_examples: nBeam,
    val_exact_match: trained.valExactMatch,
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    teacher_forcing: params.teacherForcing,
    parameters: model.weights().reduce((n, w) => n + w.variable.size, 0),
    train_pairs: train.src.length,
    test_pairs: test.src.length,
    backend,
  };

  const shown = Math.min(params.attentionExamples ?? 6, test.src.length);
  const testIdx = Array.from(data.split.test);
  const maps = Array.from({ length: shown }, (_, k) => ({
    index: testIdx[k]!,
    source: [...data.sources[testIdx[k]!]!],
    output: [...text(greedy.tokens[k]!), '</s>'].slice(0, greedy.attention[k]!.length),
    target: data.targets[testIdx[k]!]!,
    weights: greedy.attention[k]!,
  }));
  const samples = testIdx.slice(0, 50).map((i, k) => ({
    source: data.sources[i]!, target: data.targets[i]!, greedy: text(greedy.tokens[k]!).join(''),
  }));
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: name, best_epoch: trained.bestEpoch, epochs: trained.history });
  await writeAttention(path.join(ctx.outDir, 'attention.json'), { model: name, rows: 'output characters', cols: 'source characters', maps });
  await writeSamples(path.join(ctx.outDir, 'samples.json'), { model: name, samples });
  if (ctx.modelDir !== undefined) await model.save(ctx.modelDir);
  model.dispose();
  return { metrics };
}
