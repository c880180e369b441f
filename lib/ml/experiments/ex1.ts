/**
 * Exercise 1: a GRU + attention classifier on the 3-class synthetic sequences. Trains with Adam
 * on the training split, keeps the weights of the epoch with the best validation accuracy, and
 * reports test accuracy, per-class precision/recall, and how spread the attention is.
 *
 * Outputs in `ctx.outDir`: `metrics.json`, `history.json` (learning curve), `attention.json`
 * (inputs, labels, predictions and attention weights of the first test examples).
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { accuracyCeiling, readSyntheticSequences, type SequenceClassificationData } from '../data/synthetic-sequences.ts';
import { argmaxRows, classificationReport } from '../metrics/classification.ts';
import { attentionStats } from '../metrics/attention.ts';
import { currentBackend } from './backend.ts';
import { GruAttentionClassifier } from '../models/gru-attention-classifier.ts';
import { batches, fit } from '../train/index.ts';
import { type RunContext, gatherRows } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, obj, optional } from '../params.ts';
import { SEED, TRAIN_FIELDS, fitSettings } from './train-params.ts';

/** The `ex1` section of pipeline.yaml: its one declaration, type and check alike. */
export const EX1_PARAMS = obj({
  /** GRU units. */
  units: count(),
  ...TRAIN_FIELDS,
  /** How many test examples' attention weights to save. */
  attentionExamples: count(0),
  /** Width of the attention score's hidden layer (default: units). */
  attentionUnits: optional(count()),
});

/** The params of the `train-ex1` stage. */
export const EX1_STAGE_PARAMS = obj({ seed: SEED, ex1: EX1_PARAMS });
import { writeAttention, writeHistory, writeMetrics, writeServing } from '../artifacts/index.ts';

/** Params of exercise 1 (`ex1` in pipeline.yaml, plus `seed` and where the data is). */
export type Ex1Params = Infer<typeof EX1_PARAMS> & {
  seed: number;
  /** A bundle written by `writeSyntheticSequences` (`data/synthetic`). */
  dataDir: string;
  /** Model name recorded in the outputs (default `ex1`; sweep members pass theirs). */
  name?: string;
};

/** Check a `train-ex1` stage's params (see `lib/ml/params.ts`). */
export const validateEx1Params = (raw: unknown): ParamCheck<Infer<typeof EX1_STAGE_PARAMS>> => checkParams(EX1_STAGE_PARAMS, raw);

/** What `metrics.json` holds (the numbers compare and promote read). */
export interface Ex1Metrics {
  model: string;
  task: 'classification';
  test_accuracy: number;
  val_accuracy: number;
  /**
   * The split's expected ceiling: right on every patterned sample, a 1-in-3 guess on the
   * patternless ones (`accuracyCeiling`). Read the accuracies against these, not against 1.
   */
  test_ceiling: number;
  val_ceiling: number;
  /** Test accuracy on the patterned samples only (the part a model can learn). */
  test_accuracy_patterned: number;
  /** Mean number of time steps with attention weight above 0.05, over test examples. */
  attention_span: number;
  /** Mean fewest time steps holding 90 % of the attention weight, over test examples. */
  attention_mass_span: number;
  /** Mean attended time step (0-based), over test examples. */
  avg_attention_position: number;
  /** Mean time step (0-based) of the largest attention weight, over test examples. */
  attention_peak_position: number;
  /** Mean entropy (nats) of the attention over time; ln(steps) is uniform. */
  attention_entropy: number;
  macro_f1: number;
  per_class: { name: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
  best_epoch: number;
  epochs: number;
  hyperparameters: { units: number; lr: number; batch_size: number; epochs: number };
  parameters: number;
  train_samples: number;
  test_samples: number;
  backend: { name: string; version: string; package: string };
}

/** Result of {@link run}: the metrics (also written to disk). */
export interface Ex1Result {
  metrics: Ex1Metrics;
}

interface Evaluation {
  accuracy: number;
  predicted: Int32Array;
  attention: Float32Array;
}

/** Accuracy, predictions and attention on the rows `idx` of `data`, in batches. */
function evaluate(model: GruAttentionClassifier, data: SequenceClassificationData, idx: ArrayLike<number>): Evaluation {
  const width = data.steps * data.features;
  const predicted = new Int32Array(idx.length);
  const attention = new Float32Array(idx.length * data.steps);
  let at = 0;
  for (const rows of batches(idx, 256)) {
    const x = tf.tensor3d(gatherRows(data.x, width, rows), [rows.length, data.steps, data.features]);
    const out = model.predict(x);
    x.dispose();
    predicted.set(argmaxRows(out.probs, data.numClasses), at);
    attention.set(out.attention, at * data.steps);
    at += rows.length;
  }
  let hits = 0;
  for (let i = 0; i < idx.length; i++) if (predicted[i] === data.y[idx[i]!]) hits++;
  return { accuracy: idx.length ? hits / idx.length : 0, predicted, attention };
}

/** Trains exercise 1's model and writes its outputs; see the file comment. */
export async function run(params: Ex1Params, ctx: RunContext): Promise<Ex1Result> {
  const backend = await currentBackend();
  const data = await readSyntheticSequences(params.dataDir);
  const model = new GruAttentionClassifier({
    inputDim: data.features, numClasses: data.numClasses, units: params.units, learningRate: params.lr,
    clipNorm: params.clipNorm, seed: params.seed,
    ...(params.attentionUnits !== undefined ? { attentionUnits: params.attentionUnits } : {}),
  });
  const width = data.steps * data.features;
  const trained = fit(model, {
    ...fitSettings(params), examples: data.split.train, seed: params.seed, stream: 'ex1',
    batch: (rows) => ({
      x: tf.tensor3d(gatherRows(data.x, width, rows), [rows.length, data.steps, data.features]),
      y: tf.tensor1d(rows.map((r) => data.y[r]!), 'int32'),
    }),
    validate: () => ({ val_accuracy: evaluate(model, data, data.split.val).accuracy }),
    monitor: { metric: 'val_accuracy', mode: 'max' },
    lossAverage: 'example',
    onEpoch: ctx.onEpoch,
  });
  ctx.onTiming?.('train', trained.trainTimeS);

  const test = evaluate(model, data, data.split.test);
  const actual = Array.from(data.split.test, (i) => data.y[i]!);
  let patterned = 0;
  let patternedHits = 0;
  data.split.test.forEach((row, k) => {
    if (!data.patterned[row]) return;
    patterned++;
    if (test.predicted[k] === actual[k]) patternedHits++;
  });
  const report = classificationReport(actual, test.predicted, data.numClasses);
  const att = attentionStats({ data: test.attention, cols: data.steps });
  const metrics: Ex1Metrics = {
    model: params.name ?? 'ex1',
    task: 'classification',
    test_accuracy: test.accuracy,
    val_accuracy: Math.max(0, trained.bestValue),
    test_ceiling: accuracyCeiling(data, data.split.test),
    val_ceiling: accuracyCeiling(data, data.split.val),
    test_accuracy_patterned: patterned ? patternedHits / patterned : 0,
    attention_span: att.span,
    attention_mass_span: att.massSpan,
    avg_attention_position: att.meanPosition,
    attention_peak_position: att.peakPosition,
    attention_entropy: att.entropy,
    macro_f1: report.macro.f1,
    per_class: report.perClass.map((c, i) => ({ name: data.classNames[i] ?? String(i), ...c })),
    confusion: report.confusion,
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    hyperparameters: { units: params.units, lr: params.lr, batch_size: params.batchSize, epochs: params.epochs },
    parameters: model.parameterCount(),
    train_samples: data.split.train.length,
    test_samples: data.split.test.length,
    backend,
  };

  const shown = Math.min(params.attentionExamples, data.split.test.length);
  const examples = Array.from({ length: shown }, (_, i) => {
    const row = data.split.test[i]!;
    return {
      index: row,
      label: data.classNames[data.y[row]!] ?? String(data.y[row]),
      predicted: data.classNames[test.predicted[i]!] ?? String(test.predicted[i]),
      // Feature 0 is the signal; the others are noisy copies (see the generator).
      signal: Array.from({ length: data.steps }, (_, t) => data.x[row * width + t * data.features]!),
      weights: Array.from(test.attention.subarray(i * data.steps, (i + 1) * data.steps)),
    };
  });
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: params.name ?? 'ex1', best_epoch: trained.bestEpoch, epochs: trained.history });
  await writeAttention(path.join(ctx.outDir, 'attention.json'), { model: params.name ?? 'ex1', steps: data.steps, classes: data.classNames, examples });
  if (ctx.modelDir !== undefined) {
    await model.save(ctx.modelDir);
    await writeServing(ctx.modelDir, {
      kind: 'sequence-classifier', model: params.name ?? 'ex1', input: `a sequence of ${data.steps} steps, each ${data.features} numbers`,
      output: `the probability of each class (${data.classNames.join(', ')})`, steps: data.steps, features: data.features, classes: [...data.classNames],
    });
  }
  model.dispose();
  return { metrics };
}
