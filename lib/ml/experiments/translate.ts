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
import { type BackendRecord, type RunContext, secondsSince } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, fraction, num, obj, oneOf, optional } from '../params.ts';
import { SEED, TRAIN_FIELDS, budgetParams, fitSettings } from './train-params.ts';
import { writeAttention, writeHistory, writeMetrics, writeSamples, writeServing } from '../artifacts/index.ts';
import {
  SEQ2SEQ_EVAL_FIELDS, type Pairs, type SequenceScores, decodeBeam, decodeGreedy, raggedRows, sequenceScores, stripSpecials, trainSeq2Seq,
} from './translate-seq2seq.ts';

/** Encoders of the encoder comparison. */
export const TRANSLATE_ENCODERS = ['lstm', 'conv', 'transformer'] as const;

/** One of {@link TRANSLATE_ENCODERS}: 'lstm' is the bidirectional LSTM. */
export type TranslateEncoder = (typeof TRANSLATE_ENCODERS)[number];

/** True when `a` names an attention kind. */
export function isAttentionKind(a: string): a is AttentionKind {
  return (ATTENTION_KINDS as readonly string[]).includes(a);
}

/** `translate.model`: one declaration, type and check alike. */
export const TRANSLATE_MODEL_PARAMS = obj({
  embedDim: count(),
  /** Decoder units; also the Bi-LSTM's units per direction (summed) and the conv encoder's channels. */
  units: count(),
  attentionUnits: count(),
  /** Heads of multi-head attention and of the transformer encoder. */
  heads: count(),
  /** λ of the coverage loss of `coverage` attention (See et al. 2017); the other kinds have none. */
  coverageWeight: num({ min: 0 }),
  conv: obj({ layers: count(), kernelSize: count() }),
  transformer: obj({ layers: count(), norm: oneOf(['pre', 'post']), dropout: num({ min: 0, max: 0.99 }) }),
});
/**
 * `translate.train.transformerBudget` and `convBudget`: those encoders' own budgets, replacing
 * epochs, lr and schedule for `--encoder transformer` / `conv` only. Without warmup the transformer
 * collapses within a few steps at the LSTM's lr (outputs position-independent, decoder attention
 * uniform) and it needs more epochs; the conv encoder diverges at the LSTM's lr.
 */
/** `translate.train`. */
export const TRANSLATE_TRAIN_PARAMS = obj({
  ...TRAIN_FIELDS,
  /** Probability of feeding the gold previous character while training (1 = teacher forcing). */
  teacherForcing: fraction(),
  transformerBudget: budgetParams(),
  convBudget: budgetParams(),
});
/** `translate.eval`. */
export const TRANSLATE_EVAL_PARAMS = obj(SEQ2SEQ_EVAL_FIELDS);

/** The params of the `translate` and `translate-encoder` member stages (the latter also get bestAttention). */
export const TRANSLATE_STAGE_PARAMS = obj({
  seed: SEED,
  translate: obj({
    model: TRANSLATE_MODEL_PARAMS, train: TRANSLATE_TRAIN_PARAMS, eval: TRANSLATE_EVAL_PARAMS,
    bestAttention: optional(oneOf(ATTENTION_KINDS)),
  }),
});

/** Params of one translation run (`translate` in pipeline.yaml plus the matrix item). */
export type TranslateParams = Infer<typeof TRANSLATE_MODEL_PARAMS> & Infer<typeof TRANSLATE_TRAIN_PARAMS> & Infer<typeof TRANSLATE_EVAL_PARAMS> & {
  seed: number;
  /** A bundle written by `writeDates` (`data/dates`). */
  dataDir: string;
  attention: AttentionKind;
  encoder: TranslateEncoder;
};

/** Check a translation stage's params (see `lib/ml/params.ts`). */
export const validateTranslateParams = (raw: unknown): ParamCheck<Infer<typeof TRANSLATE_STAGE_PARAMS>> =>
  checkParams(TRANSLATE_STAGE_PARAMS, raw);

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
export function encoderSpec(encoder: TranslateEncoder, p: Infer<typeof TRANSLATE_MODEL_PARAMS> & { maxLen: number }): EncoderSpec {
  switch (encoder) {
    // Directions summed, not concatenated: keys then have the decoder's width, which 'dot'
    // attention needs, and every attention kind sees the same encoder.
    case 'lstm': return { kind: 'rnn', cell: 'lstm', bidirectional: true, merge: 'sum' };
    case 'conv': return { kind: 'conv', layers: p.conv.layers, kernelSize: p.conv.kernelSize, hiddenDim: p.units, maxLen: p.maxLen };
    case 'transformer': return { kind: 'transformer', heads: p.heads, ...p.transformer };
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
export async function run(given: TranslateParams, ctx: RunContext): Promise<TranslateResult> {
  const budget = given.encoder === 'transformer' ? given.transformerBudget : given.encoder === 'conv' ? given.convBudget : {};
  const params = { ...given, ...budget };
  const backend = await currentBackend();
  const data: DatesData = await readDates(params.dataDir);
  const { train, val, test } = splitPairs(data, data.maxSourceLen, data.targetLen);
  const tv = data.targetVocab;
  const model = new Seq2Seq({
    srcVocab: data.sourceVocab.size, tgtVocab: tv.size, startToken: tv.startId, endToken: tv.endId, padId: tv.padId,
    embedDim: params.embedDim, units: params.units, attention: params.attention, attentionUnits: params.attentionUnits,
    heads: params.heads, encoder: encoderSpec(params.encoder, { ...params, maxLen: data.maxSourceLen }),
    teacherForcingRatio: params.teacherForcing, learningRate: params.lr, clipNorm: params.clipNorm, seed: params.seed,
    coverageWeight: params.attention === 'coverage' ? params.coverageWeight : 0,
  });
  const maxLen = data.targetLen; // 10 characters + END, with one to spare
  const valLimit = Math.min(params.valLimit, val.src.length);
  const trained = trainSeq2Seq(model, train, {
    ...fitSettings(params), seed: params.seed, stream: `translate/${params.attention}/${params.encoder}`,
    val: { src: val.src.slice(0, valLimit), tgt: val.tgt.slice(0, valLimit) }, maxLen, onEpoch: ctx.onEpoch,
  });

  const evalStart = performance.now();
  const text = tokensOf(tv);
  const gold = stripSpecials(test.tgt, tv.startId, tv.endId);
  const greedy = decodeGreedy(model, test.src, maxLen);
  const g: SequenceScores = sequenceScores(gold, greedy.tokens, text);
  const beamWidth = params.beamWidth;
  const nBeam = Math.min(params.beamLimit, test.src.length);
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
    val_exact_match: Math.max(0, trained.bestValue),
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    teacher_forcing: params.teacherForcing,
    parameters: model.parameterCount(),
    train_pairs: train.src.length,
    test_pairs: test.src.length,
    backend,
  };

  const shown = Math.min(params.attentionExamples, test.src.length);
  const testIdx = Array.from(data.split.test);
  const maps = Array.from({ length: shown }, (_, k) => ({
    index: testIdx[k]!,
    source: [...data.sources[testIdx[k]!]!],
    output: [...text(greedy.tokens[k]!), '</s>'].slice(0, greedy.attention[k]!.length),
    target: data.targets[testIdx[k]!]!,
    weights: greedy.attention[k]!,
  }));
  const samples = testIdx.slice(0, params.samples).map((i, k) => ({
    source: data.sources[i]!, target: data.targets[i]!, greedy: text(greedy.tokens[k]!).join(''),
  }));
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: name, best_epoch: trained.bestEpoch, epochs: trained.history });
  await writeAttention(path.join(ctx.outDir, 'attention.json'), { model: name, rows: 'output characters', cols: 'source characters', maps });
  await writeSamples(path.join(ctx.outDir, 'samples.json'), { model: name, samples });
  if (ctx.modelDir !== undefined) {
    await model.save(ctx.modelDir);
    await writeServing(ctx.modelDir, {
      kind: 'seq2seq-chars', model: name, input: 'a date as text, in any of the trained formats', output: 'the ISO date (YYYY-MM-DD)',
      sourceTokens: [...data.sourceVocab.tokens], targetTokens: [...tv.tokens], maxSourceLen: data.maxSourceLen, maxOutputLen: maxLen,
      sourceCase: 'keep', outputJoin: '',
    });
  }
  model.dispose();
  return { metrics };
}
