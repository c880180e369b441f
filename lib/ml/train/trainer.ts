/**
 * The one training loop. Like the model contract (`models/model.ts`), it follows tfjs-layers'
 * split of RNN and cell: the loop lives here once — seeded shuffling into batches, the
 * learning-rate schedule, validation after each epoch, keep-best on a named validation metric,
 * early stopping, progress, history — and an experiment supplies only how to build a batch from
 * example indices and how to validate.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, StepResult, WeightSnapshot } from '../models/model.ts';
import { type LrSchedule, learningRateAt } from './schedule.ts';
import { shuffleStream } from './shuffle-stream.ts';
import type { EpochRecord, OnEpoch } from './types.ts';

/** What {@link fit} needs of a model: a step, the learning rate and snapshots of its weights. */
export type Trainable<B> = Pick<Model<{ seed: number }, B>, 'trainStep' | 'snapshot' | 'restore' | 'learningRate'>;

/** The validation metric keep-best and early stopping watch. */
export interface Monitor {
  /** A key of what `validate` returns, e.g. `val_accuracy`. */
  metric: string;
  /** `max`: higher is better (accuracy); `min`: lower is better (MSE). */
  mode: 'max' | 'min';
}

/** Options of {@link fit}; one bag, documented defaults. */
export interface FitOptions<B> {
  /** Indices of the training examples; every epoch visits each once in a fresh seeded order. */
  examples: ArrayLike<number>;
  batchSize: number;
  epochs: number;
  /** Seed and stream name of the shuffles (`shuffle-stream.ts`). */
  seed: number;
  stream: string;
  /** Builds the batch of example indices `rows`; tensors in it are disposed after its step. */
  batch(rows: number[]): B;
  /** Validation metrics after an epoch; must include `monitor.metric`. */
  validate(): Record<string, number>;
  monitor: Monitor;
  /** Stop after this many epochs without improvement (default: never). */
  patience?: number;
  /** Default: constant at the model's learning rate. */
  schedule?: LrSchedule;
  /**
   * The epoch's reported loss: the mean over batches (`batch`, default) or over examples
   * (`example`, weighting each batch by its size).
   */
  lossAverage?: 'batch' | 'example';
  /** Add the epoch's last gradient norm to each history row as `grad_norm`. */
  recordGradNorm?: boolean;
  onEpoch?: OnEpoch;
}

/** What {@link fit} returns; the model is left with the best epoch's weights. */
export interface FitResult {
  history: EpochRecord[];
  /** 1-based; 0 when no epoch improved on the initial weights (e.g. no epochs, or NaN metrics). */
  bestEpoch: number;
  /** The monitored metric at the best epoch (±Infinity when no epoch improved). */
  bestValue: number;
  /** Epochs actually run (fewer than asked when early stopping fired). */
  epochsRun: number;
  /** Gradient norms of the first and the last training step (NaN without steps). */
  gradNormFirst: number;
  gradNormLast: number;
  trainTimeS: number;
}

/** Splits `indices` (already in the desired order) into consecutive batches of `size`. */
export function batches(indices: ArrayLike<number>, size: number): number[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive integer, got ${size}`);
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += size) {
    out.push(Array.from({ length: Math.min(size, indices.length - i) }, (_, k) => indices[i + k]!));
  }
  return out;
}

/** True when `value` beats `best` under `mode` (strictly: the earliest epoch wins ties). */
function improves(mode: Monitor['mode'], value: number, best: number): boolean {
  return mode === 'max' ? value > best : value < best;
}

/** Trains `model` as the file comment says and restores the best epoch's weights. */
export function fit<B>(model: Trainable<B>, o: FitOptions<B>): FitResult {
  const start = performance.now();
  const stream = shuffleStream(o.seed, o.stream);
  const base = model.learningRate;
  const stepsPerEpoch = Math.ceil(o.examples.length / o.batchSize);
  const totalSteps = stepsPerEpoch * o.epochs;
  const history: EpochRecord[] = [];
  let best: { epoch: number; value: number; weights: WeightSnapshot } = {
    epoch: 0, value: o.monitor.mode === 'max' ? -Infinity : Infinity, weights: model.snapshot(),
  };
  let step = 0;
  let gradNormFirst = NaN;
  let gradNormLast = NaN;
  let epochsRun = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let sum = 0;
    let weight = 0;
    for (const rows of batches(stream.shuffled(o.examples), o.batchSize)) {
      if (o.schedule) model.learningRate = learningRateAt(o.schedule, base, { step, totalSteps, stepsPerEpoch });
      const batch = o.batch(rows);
      let result: StepResult;
      try {
        result = model.trainStep(batch);
      } finally {
        tf.dispose(batch as tf.TensorContainer);
      }
      const w = o.lossAverage === 'example' ? rows.length : 1;
      sum += result.loss * w;
      weight += w;
      if (step === 0) gradNormFirst = result.gradNorm;
      gradNormLast = result.gradNorm;
      step++;
    }
    const loss = sum / Math.max(1, weight);
    const val = o.validate();
    const value = val[o.monitor.metric];
    if (value === undefined) throw new Error(`validate() returned no "${o.monitor.metric}" (got ${Object.keys(val).join(', ')})`);
    history.push({ epoch, loss, ...val, ...(o.recordGradNorm ? { grad_norm: gradNormLast } : {}) });
    epochsRun = epoch;
    if (improves(o.monitor.mode, value, best.value)) best = { epoch, value, weights: model.snapshot() };
    o.onEpoch?.(epoch, o.epochs, { loss, ...val });
    if (o.patience !== undefined && epoch - best.epoch >= o.patience) break;
  }
  model.restore(best.weights);
  model.learningRate = base;
  return {
    history, bestEpoch: best.epoch, bestValue: best.value, epochsRun, gradNormFirst, gradNormLast,
    trainTimeS: Math.round(performance.now() - start) / 1000,
  };
}
