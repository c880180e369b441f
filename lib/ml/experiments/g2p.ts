/**
 * Grapheme → phoneme conversion on a CMUdict subset (the data stage's `data.g2p.size` words,
 * stress digits stripped) with an attention seq2seq: Bi-LSTM encoder over letters, LSTM decoder
 * over ARPAbet phonemes. Scores on the test split: phoneme error rate (edit distance / reference
 * length), word accuracy (whole pronunciation right) and BLEU on space-joined phonemes, for
 * greedy decoding and for beam search.
 *
 * Outputs in `ctx.outDir`: `metrics.json`, `history.json`, `samples.json` (test words with their
 * reference and predicted pronunciations) and `attention.json` (letters × phonemes).
 */
import path from 'node:path';
import { readG2p } from '../data/g2p.ts';
import { ATTENTION_KINDS, type AttentionKind } from '../models/attention-step.ts';
import { Seq2Seq } from '../models/seq2seq.ts';
import { currentBackend } from './backend.ts';
import { type BackendRecord, type RunContext, secondsSince } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, fraction, obj, oneOf } from '../params.ts';
import { SEED, TRAIN_FIELDS, fitSettings } from './train-params.ts';
import { writeAttention, writeHistory, writeMetrics, writeSamples, writeServing } from '../artifacts/index.ts';
import { splitPairs, tokensOf } from './translate.ts';
import { SEQ2SEQ_EVAL_FIELDS, decodeBeam, decodeGreedy, sequenceScores, stripSpecials, trainSeq2Seq } from './translate-seq2seq.ts';

/** The `g2p` section of pipeline.yaml: one declaration, type and check alike. */
export const G2P_PARAMS = obj({
  attention: oneOf(ATTENTION_KINDS),
  embedDim: count(),
  /** Decoder units; the Bi-LSTM encoder has this many per direction. */
  units: count(),
  attentionUnits: count(),
  ...TRAIN_FIELDS,
  /** Probability of feeding the gold previous phoneme while training (1 = teacher forcing). */
  teacherForcing: fraction(),
  ...SEQ2SEQ_EVAL_FIELDS,
});

/** The params of the `g2p` stage. */
export const G2P_STAGE_PARAMS = obj({ seed: SEED, g2p: G2P_PARAMS });

/** Params of the g2p stage (`g2p` in pipeline.yaml, plus `seed` and the data bundle). */
export type G2pParams = Infer<typeof G2P_PARAMS> & {
  seed: number;
  /** A bundle written by `writeG2p` (`data/g2p`). */
  dataDir: string;
};

/** Check a `g2p` stage's params (see `lib/ml/params.ts`). */
export const validateG2pParams = (raw: unknown): ParamCheck<Infer<typeof G2P_STAGE_PARAMS>> => checkParams(G2P_STAGE_PARAMS, raw);

/** What `metrics.json` holds. Rates and accuracies are fractions; BLEU is 0–100. */
export interface G2pMetrics {
  model: 'g2p';
  task: 'seq2seq';
  gate_metric: 'test_word_accuracy';
  gate_direction: 'max';
  attention: AttentionKind;
  test_per: number;
  test_word_accuracy: number;
  test_bleu: number;
  beam_per: number;
  beam_word_accuracy: number;
  beam_bleu: number;
  beam_width: number;
  beam_examples: number;
  val_word_accuracy: number;
  best_epoch: number;
  epochs: number;
  /** Words in the data bundle (the CMUdict subset) and per split. */
  words: number;
  train_words: number;
  test_words: number;
  parameters: number;
  backend: BackendRecord;
}

/** Result of {@link run}. */
export interface G2pResult {
  metrics: G2pMetrics;
}

/** Trains the g2p model and writes its outputs; see the file comment. */
export async function run(params: G2pParams, ctx: RunContext): Promise<G2pResult> {
  const backend = await currentBackend();
  const data = await readG2p(params.dataDir);
  const { train, val, test } = splitPairs(data, data.sourceLen, data.targetLen, data.yLengths);
  const pv = data.phonemeVocab;
  const attention = params.attention;
  const model = new Seq2Seq({
    srcVocab: data.graphemeVocab.size, tgtVocab: pv.size, startToken: pv.startId, endToken: pv.endId, padId: pv.padId,
    embedDim: params.embedDim, units: params.units, attention, attentionUnits: params.attentionUnits,
    encoder: { kind: 'rnn', cell: 'lstm', bidirectional: true }, teacherForcingRatio: params.teacherForcing,
    learningRate: params.lr, clipNorm: params.clipNorm, seed: params.seed,
  });
  const maxLen = data.targetLen;
  const valLimit = Math.min(params.valLimit, val.src.length);
  const trained = trainSeq2Seq(model, train, {
    ...fitSettings(params), seed: params.seed, stream: 'g2p',
    val: { src: val.src.slice(0, valLimit), tgt: val.tgt.slice(0, valLimit) }, maxLen, onEpoch: ctx.onEpoch,
  });

  const evalStart = performance.now();
  const text = tokensOf(pv);
  const gold = stripSpecials(test.tgt, pv.startId, pv.endId);
  const greedy = decodeGreedy(model, test.src, maxLen);
  const g = sequenceScores(gold, greedy.tokens, text);
  const beamWidth = params.beamWidth;
  const nBeam = Math.min(params.beamLimit, test.src.length);
  const beam = sequenceScores(gold.slice(0, nBeam), decodeBeam(model, test.src.slice(0, nBeam), maxLen, beamWidth), text);
  ctx.onTiming?.('train', trained.trainTimeS);
  ctx.onTiming?.('eval', secondsSince(evalStart));

  const metrics: G2pMetrics = {
    model: 'g2p',
    task: 'seq2seq',
    gate_metric: 'test_word_accuracy',
    gate_direction: 'max',
    attention,
    test_per: g.token_error_rate,
    test_word_accuracy: g.exact_match,
    test_bleu: g.bleu,
    beam_per: beam.token_error_rate,
    beam_word_accuracy: beam.exact_match,
    beam_bleu: beam.bleu,
    beam_width: beamWidth,
    beam_examples: nBeam,
    val_word_accuracy: Math.max(0, trained.bestValue),
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    words: data.n,
    train_words: train.src.length,
    test_words: test.src.length,
    parameters: model.parameterCount(),
    backend,
  };

  const testIdx = Array.from(data.split.test);
  const samples = testIdx.slice(0, params.samples).map((i, k) => ({
    word: data.words[i]!, reference: data.phonemes[i]!.join(' '), predicted: text(greedy.tokens[k]!).join(' '),
  }));
  const shown = Math.min(params.attentionExamples, testIdx.length);
  const maps = Array.from({ length: shown }, (_, k) => ({
    word: data.words[testIdx[k]!]!,
    source: [...data.words[testIdx[k]!]!],
    output: [...text(greedy.tokens[k]!), '</s>'].slice(0, greedy.attention[k]!.length),
    weights: greedy.attention[k]!,
  }));
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: 'g2p', best_epoch: trained.bestEpoch, epochs: trained.history });
  await writeSamples(path.join(ctx.outDir, 'samples.json'), { model: 'g2p', samples });
  await writeAttention(path.join(ctx.outDir, 'attention.json'), { model: 'g2p', rows: 'phonemes', cols: 'letters', maps });
  if (ctx.modelDir !== undefined) {
    await model.save(ctx.modelDir);
    await writeServing(ctx.modelDir, {
      kind: 'seq2seq-chars', model: 'g2p', input: 'an English word (letters)', output: 'its ARPAbet phonemes, space-separated',
      sourceTokens: [...data.graphemeVocab.tokens], targetTokens: [...pv.tokens], maxSourceLen: data.sourceLen, maxOutputLen: maxLen,
      sourceCase: 'lower', outputJoin: ' ',
    });
  }
  model.dispose();
  return { metrics };
}
