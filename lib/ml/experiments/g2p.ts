/**
 * Grapheme → phoneme conversion on CMUdict's fixed word split (`lib/ml/data/g2p.ts`: training on
 * the data stage's `data.g2p.trainWords` words, stress stripped) with an attention seq2seq:
 * Bi-LSTM encoder over letters, LSTM decoder over ARPAbet phonemes. Scored per test word against
 * all its pronunciations (`multiReferenceRates`): WER (no pronunciation matched), PER (edits to the
 * closest pronunciation / its length, summed over words), word accuracy = 1 − WER, and BLEU on
 * space-joined phonemes with the alternates as extra references; greedy on every test word of the
 * bundle, beam search on `beamLimit` of them (every k-th).
 *
 * Outputs in `ctx.outDir`: `metrics.json`, `history.json` (its `val_exact_match` is the
 * any-pronunciation word accuracy on the validation sample), `samples.json` (test words with
 * their pronunciations, ` | `-separated, and the predicted one) and `attention.json` (letters ×
 * phonemes).
 */
import path from 'node:path';
import { type G2pData, groupByWord, readG2p } from '../data/g2p.ts';
import { ATTENTION_KINDS, type AttentionKind } from '../models/attention-step.ts';
import { Seq2Seq } from '../models/seq2seq.ts';
import { currentBackend } from './backend.ts';
import { type BackendRecord, type RunContext, secondsSince } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, fraction, obj, oneOf } from '../params.ts';
import { SEED, TRAIN_FIELDS, fitSettings } from './train-params.ts';
import { writeAttention, writeHistory, writeMetrics, writeSamples, writeServing } from '../artifacts/index.ts';
import { tokensOf } from './translate.ts';
import { SEQ2SEQ_EVAL_FIELDS, decodeBeam, decodeGreedy, raggedRows, stripSpecials, trainSeq2Seq } from './translate-seq2seq.ts';
import { multiReferenceRates } from '../metrics/sequence.ts';
import { corpusBleu } from '../metrics/bleu.ts';

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

/**
 * What `metrics.json` holds. Rates and accuracies are fractions; BLEU is 0–100. Counts of words
 * are distinct words (a word with two pronunciations counts once).
 */
export interface G2pMetrics {
  model: 'g2p';
  task: 'seq2seq';
  gate_metric: 'test_word_accuracy';
  gate_direction: 'max';
  attention: AttentionKind;
  /** Greedy decoding on every test word of the bundle. */
  test_wer: number;
  test_per: number;
  /** 1 − test_wer. */
  test_word_accuracy: number;
  test_bleu: number;
  /** Beam search on `beam_examples` test words spread evenly over the sorted list (and greedy on the same words). */
  beam_wer: number;
  beam_per: number;
  beam_word_accuracy: number;
  beam_bleu: number;
  greedy_wer_on_beam: number;
  beam_width: number;
  beam_examples: number;
  val_word_accuracy: number;
  best_epoch: number;
  epochs: number;
  /** Words in the data bundle (training subset + validation + test). */
  words: number;
  train_words: number;
  /** Training rows: one per pronunciation of a training word. */
  train_pronunciations: number;
  val_words: number;
  test_words: number;
  /** Words per side of the split rule before sampling (the whole filtered dictionary). */
  dictionary_words: number;
  test_pool_words: number;
  parameters: number;
  backend: BackendRecord;
}

/** Result of {@link run}. */
export interface G2pResult {
  metrics: G2pMetrics;
}

/** One source row and every reference (phoneme ids, no START/END) per word of `rows`. */
function byWord(data: G2pData, rows: Int32Array): { words: string[]; src: number[][]; refs: number[][][] } {
  const groups = groupByWord(data, rows);
  const pv = data.phonemeVocab;
  return {
    words: groups.map((g) => g.word),
    src: raggedRows(data.x, data.sourceLen, groups.map((g) => g.rows[0]!), data.xLengths),
    refs: groups.map((g) => stripSpecials(raggedRows(data.y, data.targetLen, g.rows, data.yLengths), pv.startId, pv.endId)),
  };
}

/** WER, PER and BLEU (the alternates as extra reference streams) of `hyps` against `refs`. */
function scores(refs: number[][][], hyps: number[][], text: (ids: readonly number[]) => string[]): { wer: number; per: number; bleu: number } {
  const { wer, per } = multiReferenceRates(refs, hyps);
  const streams = refs.reduce((m, r) => Math.max(m, r.length), 0);
  const refText = Array.from({ length: streams }, (_, k) => refs.map((r) => (r[k] ? text(r[k]!).join(' ') : '')));
  // sacreBLEU skips empty references: a word without a k-th pronunciation has '' in stream k
  const bleu = corpusBleu(hyps.map((h) => text(h).join(' ')), refText, { tokenize: 'none' }).score;
  return { wer, per, bleu };
}

/** Trains the g2p model and writes its outputs; see the file comment. */
export async function run(params: G2pParams, ctx: RunContext): Promise<G2pResult> {
  const backend = await currentBackend();
  const data = await readG2p(params.dataDir);
  const pv = data.phonemeVocab;
  const text = tokensOf(pv);
  const train = {
    src: raggedRows(data.x, data.sourceLen, data.split.train, data.xLengths),
    tgt: raggedRows(data.y, data.targetLen, data.split.train, data.yLengths),
  };
  const valAll = byWord(data, data.split.val);
  const valLimit = Math.min(params.valLimit, valAll.src.length);
  const val = { src: valAll.src.slice(0, valLimit), refs: valAll.refs.slice(0, valLimit) };
  const test = byWord(data, data.split.test);
  const attention = params.attention;
  const model = new Seq2Seq({
    srcVocab: data.graphemeVocab.size, tgtVocab: pv.size, startToken: pv.startId, endToken: pv.endId, padId: pv.padId,
    embedDim: params.embedDim, units: params.units, attention, attentionUnits: params.attentionUnits,
    encoder: { kind: 'rnn', cell: 'lstm', bidirectional: true }, teacherForcingRatio: params.teacherForcing,
    learningRate: params.lr, clipNorm: params.clipNorm, seed: params.seed,
  });
  const maxLen = data.targetLen;
  const trained = trainSeq2Seq(model, train, {
    ...fitSettings(params), seed: params.seed, stream: 'g2p', maxLen, onEpoch: ctx.onEpoch,
    val: { src: val.src, tgt: val.refs.map((r) => r[0]!) },
    valScore: (hyps) => 1 - multiReferenceRates(val.refs, hyps).wer,
  });

  const evalStart = performance.now();
  const greedy = decodeGreedy(model, test.src, maxLen);
  const g = scores(test.refs, greedy.tokens, text);
  // every k-th test word, not the first ones: the words are sorted and early letters differ (abbreviations)
  const nBeam = Math.min(params.beamLimit, test.src.length);
  const spread = Array.from({ length: nBeam }, (_, i) => Math.floor((i * test.src.length) / nBeam));
  const beamRefs = spread.map((i) => test.refs[i]!);
  const beam = scores(beamRefs, decodeBeam(model, spread.map((i) => test.src[i]!), maxLen, params.beamWidth), text);
  const greedyOnBeam = multiReferenceRates(beamRefs, spread.map((i) => greedy.tokens[i]!));
  ctx.onTiming?.('train', trained.trainTimeS);
  ctx.onTiming?.('eval', secondsSince(evalStart));

  const metrics: G2pMetrics = {
    model: 'g2p',
    task: 'seq2seq',
    gate_metric: 'test_word_accuracy',
    gate_direction: 'max',
    attention,
    test_wer: g.wer,
    test_per: g.per,
    test_word_accuracy: 1 - g.wer,
    test_bleu: g.bleu,
    beam_wer: beam.wer,
    beam_per: beam.per,
    beam_word_accuracy: 1 - beam.wer,
    beam_bleu: beam.bleu,
    greedy_wer_on_beam: greedyOnBeam.wer,
    beam_width: params.beamWidth,
    beam_examples: nBeam,
    val_word_accuracy: Math.max(0, trained.bestValue),
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    words: groupByWord(data, Int32Array.from({ length: data.n }, (_, i) => i)).length,
    train_words: groupByWord(data, data.split.train).length,
    train_pronunciations: train.src.length,
    val_words: valAll.words.length,
    test_words: test.words.length,
    dictionary_words: data.pool.train + data.pool.val + data.pool.test,
    test_pool_words: data.pool.test,
    parameters: model.parameterCount(),
    backend,
  };

  const samples = test.words.slice(0, params.samples).map((word, k) => ({
    word, reference: test.refs[k]!.map((r) => text(r).join(' ')).join(' | '), predicted: text(greedy.tokens[k]!).join(' '),
  }));
  const maps = test.words.slice(0, params.attentionExamples).map((word, k) => ({
    word,
    source: [...word],
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
      kind: 'seq2seq-chars', model: 'g2p', input: 'an English word (letters, apostrophes)', output: 'its ARPAbet phonemes, space-separated',
      sourceTokens: [...data.graphemeVocab.tokens], targetTokens: [...pv.tokens], maxSourceLen: data.sourceLen, maxOutputLen: maxLen,
      sourceCase: 'lower', outputJoin: ' ',
    });
  }
  model.dispose();
  return { metrics };
}
