/**
 * Spam detection on the SpamAssassin corpus: one classifier of `models/spam-classifier.ts` (simple RNN,
 * LSTM, or LSTM + Luong attention; with or without padding masks). Keeps the weights of the
 * epoch with the best validation accuracy; a mail is spam from probability `threshold` (0.5 in pipeline.yaml); "positive" = spam.
 *
 * Outputs in `ctx.outDir`: `metrics.json` (accuracy, spam precision/recall/F1, macro F1,
 * confusion matrix `[actual][predicted]` with 0 = ham, 1 = spam, and the gradient norms of the
 * first and last training steps — the vanishing-gradient lesson in two numbers), `history.json`,
 * and for the attention model `attention.json` (weights over the tokens of a few test mails).
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { readSpam, type SpamData } from '../data/spam.ts';
import { accuracy, classificationReport } from '../metrics/classification.ts';
import { type SpamCell, SpamClassifier } from '../models/spam-classifier.ts';
import { batches, fit } from '../train/index.ts';
import { currentBackend } from './backend.ts';
import { type BackendRecord, type RunContext } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, fraction, obj } from '../params.ts';
import { SEED, TRAIN_FIELDS, budgetParams, fitSettings } from './train-params.ts';

/** The `spam` section's model, training and evaluation params: one declaration each, type and check alike. */
export const SPAM_MODEL_PARAMS = obj({ embedDim: count(), units: count() });
export const SPAM_TRAIN_PARAMS = obj({
  ...TRAIN_FIELDS,
  /** Epochs, lr and schedule of the bag-of-words baseline: a convex model, trained to convergence in seconds. */
  bowBudget: budgetParams(),
});
export const SPAM_EVAL_PARAMS = obj({
  /** Spam probability from which a mail counts as spam. */
  threshold: fraction(),
  /** Test mails whose attention is saved (attention model only). */
  attentionExamples: count(0),
});

/** The params of a `spam` member stage. */
export const SPAM_STAGE_PARAMS = obj({
  seed: SEED,
  spam: obj({ model: SPAM_MODEL_PARAMS, train: SPAM_TRAIN_PARAMS, eval: SPAM_EVAL_PARAMS }),
});
import { writeAttention, writeHistory, writeMetrics, writeServing } from '../artifacts/index.ts';

/** Params of one spam run (`spam` in pipeline.yaml plus the matrix item). */
export type SpamParams = Infer<typeof SPAM_MODEL_PARAMS> & Infer<typeof SPAM_TRAIN_PARAMS> & Infer<typeof SPAM_EVAL_PARAMS> & {
  seed: number;
  /** A bundle written by `writeSpam` (`data/spam`). */
  dataDir: string;
  cell: SpamCell;
  masked: boolean;
};

/** Check a `spam` stage's params (see `lib/ml/params.ts`). */
export const validateSpamParams = (raw: unknown): ParamCheck<Infer<typeof SPAM_STAGE_PARAMS>> => checkParams(SPAM_STAGE_PARAMS, raw);

/** What `metrics.json` holds. */
export interface SpamMetrics {
  model: string;
  task: 'classification';
  cell: SpamCell;
  masked: boolean;
  test_accuracy: number;
  test_f1: number;
  test_precision: number;
  test_recall: number;
  test_macro_f1: number;
  /** `[actual][predicted]`, 0 = ham, 1 = spam. */
  confusion: number[][];
  val_accuracy: number;
  /** Share of spam in the test split: the accuracy of always answering the majority is max(p, 1 − p). */
  test_spam_fraction: number;
  grad_norm_first: number;
  grad_norm_last: number;
  best_epoch: number;
  epochs: number;
  max_len: number;
  vocab_size: number;
  parameters: number;
  train_mails: number;
  test_mails: number;
  backend: BackendRecord;
}

/** Result of {@link run}. */
export interface SpamResult {
  metrics: SpamMetrics;
}

/** The matrix member's name: `lstm-attention-masked`, `simple-rnn-unmasked`… */
export function spamMemberName(cell: SpamCell, masked: boolean): string {
  return `${cell}-${masked ? 'masked' : 'unmasked'}`;
}

function batchOf(data: SpamData, rows: readonly number[]): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  return tf.tidy(() => {
    const flat = new Int32Array(rows.length * data.maxLen);
    rows.forEach((r, k) => flat.set(data.x.subarray(r * data.maxLen, (r + 1) * data.maxLen), k * data.maxLen));
    const ids = tf.tensor2d(flat, [rows.length, data.maxLen], 'int32');
    return { ids, mask: tf.notEqual(ids, data.vocab.padId).toFloat() as tf.Tensor2D };
  });
}

function predictAll(model: SpamClassifier, data: SpamData, idx: ArrayLike<number>): { probs: Float32Array; attention?: Float32Array } {
  const probs = new Float32Array(idx.length);
  const parts: Float32Array[] = [];
  let at = 0;
  for (const rows of batches(idx, 256)) {
    const b = batchOf(data, rows);
    const out = model.predict(b.ids, b.mask);
    tf.dispose([b.ids, b.mask]);
    probs.set(out.probs, at);
    if (out.attention) parts.push(out.attention);
    at += rows.length;
  }
  if (parts.length === 0) return { probs };
  const attention = new Float32Array(idx.length * data.maxLen);
  let off = 0;
  for (const p of parts) {
    attention.set(p, off);
    off += p.length;
  }
  return { probs, attention };
}

const labelsOf = (data: SpamData, idx: ArrayLike<number>): Int32Array => Int32Array.from(idx, (i) => data.y[i]!);
const decide = (probs: Float32Array, threshold: number): Int32Array => Int32Array.from(probs, (p) => (p >= threshold ? 1 : 0));

/** Trains one spam classifier and writes its outputs; see the file comment. */
export async function run(given: SpamParams, ctx: RunContext): Promise<SpamResult> {
  const params = given.cell === 'bow-logistic' ? { ...given, ...given.bowBudget } : given;
  const backend = await currentBackend();
  const data = await readSpam(params.dataDir);
  const name = spamMemberName(params.cell, params.masked);
  const model = new SpamClassifier({
    cell: params.cell, masked: params.masked, vocabSize: data.vocab.size, embedDim: params.embedDim, units: params.units,
    learningRate: params.lr, clipNorm: params.clipNorm, seed: params.seed,
  });
  const valY = labelsOf(data, data.split.val);
  const trained = fit(model, {
    ...fitSettings(params), examples: data.split.train, seed: params.seed, stream: `spam/${name}`,
    batch: (rows) => ({ ...batchOf(data, rows), y: tf.tensor1d(Array.from(rows, (r) => data.y[r]!), 'float32') }),
    validate: () => ({ val_accuracy: accuracy(valY, decide(predictAll(model, data, data.split.val).probs, params.threshold)) }),
    monitor: { metric: 'val_accuracy', mode: 'max' },
    recordGradNorm: true,
    onEpoch: ctx.onEpoch,
  });
  ctx.onTiming?.('train', trained.trainTimeS);

  const testY = labelsOf(data, data.split.test);
  const test = predictAll(model, data, data.split.test);
  const report = classificationReport(testY, decide(test.probs, params.threshold), 2);
  const spam = report.perClass[1]!;
  const metrics: SpamMetrics = {
    model: `spam-${name}`,
    task: 'classification',
    cell: params.cell,
    masked: params.masked,
    test_accuracy: report.accuracy,
    test_f1: spam.f1,
    test_precision: spam.precision,
    test_recall: spam.recall,
    test_macro_f1: report.macro.f1,
    confusion: report.confusion,
    val_accuracy: Math.max(0, trained.bestValue),
    test_spam_fraction: testY.reduce((n, v) => n + v, 0) / Math.max(1, testY.length),
    grad_norm_first: trained.gradNormFirst,
    grad_norm_last: trained.gradNormLast,
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    max_len: data.maxLen,
    vocab_size: data.vocab.size,
    parameters: model.parameterCount(),
    train_mails: data.split.train.length,
    test_mails: data.split.test.length,
    backend,
  };
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: metrics.model, best_epoch: trained.bestEpoch, epochs: trained.history });
  if (test.attention) {
    const shown = Math.min(params.attentionExamples, data.split.test.length);
    const maps = Array.from({ length: shown }, (_, k) => {
      const i = data.split.test[k]!;
      const len = data.lengths[i]!;
      return {
        mail: data.sources[i]!, label: data.y[i]!, prob: test.probs[k]!,
        tokens: Array.from(data.x.subarray(i * data.maxLen, i * data.maxLen + len), (id) => data.vocab.tokens[id] ?? '?'),
        weights: Array.from(test.attention!.subarray(k * data.maxLen, k * data.maxLen + len)),
      };
    });
    await writeAttention(path.join(ctx.outDir, 'attention.json'), { model: metrics.model, maps });
  }
  if (ctx.modelDir !== undefined) {
    await model.save(ctx.modelDir);
    const o = data.options;
    await writeServing(ctx.modelDir, {
      kind: 'text-binary', model: name, input: 'the text of a mail (headers optional)', output: 'the probability that it is spam',
      tokens: [...data.vocab.tokens], maxLen: data.maxLen, padding: o.padding, truncating: o.truncating, keepSubject: o.keepSubject, threshold: params.threshold,
    });
  }
  model.dispose();
  return { metrics };
}
