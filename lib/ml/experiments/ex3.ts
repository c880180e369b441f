/**
 * Exercise 3 and its ablations: predict the last `frames − contextFrames` frames of
 * Moving-MNIST-like clips from their first `contextFrames`, with the temporal latent model
 * (`models/temporal-latent.ts`) in one of its variants. Keeps the weights of the epoch with the
 * lowest validation MSE. Errors are over the predicted frames only, pixels in [0, 1]
 * (`artifacts/ex3-metrics.ts`).
 *
 * Outputs in `ctx.outDir`: `metrics.json`, `history.json`, and a few test clips with their
 * predictions: `predictions.json` + `predictions.bin` (`artifacts/predictions.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type FrameErrors, frameErrors, writeHistory, writeMetrics, writePredictions, writeServing } from '../artifacts/index.ts';
import { type MovingMnistData, readMovingMnist } from '../data/moving-mnist.ts';
import { mse } from '../metrics/regression.ts';
import { type Ex3Variant, TEMPORAL_LATENT_PARAMS, TemporalLatentModel } from '../models/temporal-latent.ts';
import { fit } from '../train/index.ts';
import { currentBackend } from './backend.ts';
import { type BackendRecord, type RunContext, gatherRows } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, obj } from '../params.ts';
import { SEED, TRAIN_FIELDS, fitSettings } from './train-params.ts';

/** The `ex3` section of pipeline.yaml: its one declaration, type and check alike. */
export const EX3_PARAMS = obj({
  ...TEMPORAL_LATENT_PARAMS,
  ...TRAIN_FIELDS,
  /** Frames the model sees; it predicts the clip's remaining frames. */
  contextFrames: count(),
  /** How many test clips to save with their predictions. */
  examples: count(0),
});

/** The params of the `train-ex3` and `ablate` stages. */
export const EX3_STAGE_PARAMS = obj({ seed: SEED, ex3: EX3_PARAMS });

/** Params of exercise 3 (`ex3` in pipeline.yaml, plus `seed`, the data bundle and the variant). */
export type Ex3Params = Infer<typeof EX3_PARAMS> & {
  seed: number;
  /** A bundle written by `writeMovingMnist` (`data/moving-digits`). */
  dataDir: string;
  variant: Ex3Variant;
};

/** Check a `train-ex3` stage's params (see `lib/ml/params.ts`). */
export const validateEx3Params = (raw: unknown): ParamCheck<Infer<typeof EX3_STAGE_PARAMS>> => checkParams(EX3_STAGE_PARAMS, raw);

/** What `metrics.json` holds: the prediction errors (see `FrameErrors`) and the run's facts. */
export interface Ex3Metrics extends FrameErrors {
  model: string;
  variant: Ex3Variant;
  task: 'frame-prediction';
  context_frames: number;
  future_frames: number;
  val_mse: number;
  /** Test MSE of predicting the mean training pixel everywhere: the plateau any model must leave. */
  mean_image_mse: number;
  /** Test MSE of repeating the last context frame: the naive forecast. */
  copy_last_mse: number;
  parameters: number;
  /** The course's expected ranges and whether this run falls inside them. */
  course_range: { test_mse: [number, number]; parameters: [number, number] };
  in_course_range: { test_mse: boolean; parameters: boolean };
  best_epoch: number;
  epochs: number;
  frames: number;
  size: number;
  train_clips: number;
  test_clips: number;
  backend: BackendRecord;
}

/** Result of {@link run}. */
export interface Ex3Result {
  metrics: Ex3Metrics;
}

const COURSE = { test_mse: [0.01, 0.02], parameters: [1e6, 2e6] } as const;
const inside = (v: number, [lo, hi]: readonly [number, number]): boolean => v >= lo && v <= hi;

/** A clip set cut into what the model sees and what it must predict. */
interface Cut {
  context: Float32Array;
  future: Float32Array;
}

/** Context (clips × c × pixels) and future (clips × (frames − c) × pixels) of the clips `idx`. */
export function cutClips(data: MovingMnistData, idx: ArrayLike<number>, contextFrames: number): Cut {
  const pixels = data.size * data.size;
  const width = data.frames * pixels;
  const [cw, fw] = [contextFrames * pixels, (data.frames - contextFrames) * pixels];
  const context = new Float32Array(idx.length * cw);
  const future = new Float32Array(idx.length * fw);
  for (let k = 0; k < idx.length; k++) {
    const at = idx[k]! * width;
    context.set(data.clips.subarray(at, at + cw), k * cw);
    future.set(data.clips.subarray(at + cw, at + width), k * fw);
  }
  return { context, future };
}

/** The model's predicted future frames (flat, clips × future × pixels) after each context clip. */
function predictAll(model: TemporalLatentModel, context: Float32Array, pixels: number): Float32Array {
  const { contextFrames: c, futureFrames: f } = model.config;
  const n = context.length / (c * pixels);
  const out = new Float32Array(n * f * pixels);
  for (let at = 0; at < n; at += 64) {
    const rows = Math.min(64, n - at);
    const x = tf.tensor3d(context.subarray(at * c * pixels, (at + rows) * c * pixels), [rows, c, pixels]);
    out.set(model.predict(x), at * f * pixels);
    x.dispose();
  }
  return out;
}

/** The last context frame repeated over the future: the naive forecast's frames. */
function repeatLast(context: Float32Array, c: number, f: number, pixels: number): Float32Array {
  const n = context.length / (c * pixels);
  const out = new Float32Array(n * f * pixels);
  for (let k = 0; k < n; k++) {
    const last = context.subarray((k * c + c - 1) * pixels, (k * c + c) * pixels);
    for (let t = 0; t < f; t++) out.set(last, (k * f + t) * pixels);
  }
  return out;
}

/** Trains one variant of exercise 3's model and writes its outputs; see the file comment. */
export async function run(params: Ex3Params, ctx: RunContext): Promise<Ex3Result> {
  const backend = await currentBackend();
  const data = await readMovingMnist(params.dataDir);
  const pixels = data.size * data.size;
  const width = data.frames * pixels;
  const c = params.contextFrames;
  const f = data.frames - c;
  if (f < 1) throw new Error(`ex3: contextFrames ${c} leaves no frame to predict in ${data.frames}-frame clips`);
  // The architecture params are the model's config as they are: the field list lives in EX3_PARAMS only.
  const { dataDir: _data, lr, epochs: _e, batchSize: _b, schedule: _s, patience: _p, examples: _x, contextFrames: _c, ...arch } = params;
  const model = new TemporalLatentModel({ ...arch, pixels, contextFrames: c, futureFrames: f, learningRate: lr });
  const val = cutClips(data, data.split.val, c);
  const trained = fit(model, {
    ...fitSettings(params), examples: data.split.train, seed: params.seed, stream: `ex3/${params.variant}`,
    batch: (rows) => tf.tensor3d(gatherRows(data.clips, width, rows), [rows.length, data.frames, pixels]),
    validate: () => ({ val_mse: mse(val.future, predictAll(model, val.context, pixels)) }),
    monitor: { metric: 'val_mse', mode: 'min' },
    onEpoch: ctx.onEpoch,
  });
  ctx.onTiming?.('train', trained.trainTimeS);

  const test = cutClips(data, data.split.test, c);
  const pred = predictAll(model, test.context, pixels);
  let trainMean = 0;
  for (const i of data.split.train) for (const v of data.clips.subarray(i * width, (i + 1) * width)) trainMean += v;
  trainMean /= Math.max(1, data.split.train.length * width);
  const errors = frameErrors(test.future, pred, f, pixels);
  const parameters = model.parameterCount();
  const metrics: Ex3Metrics = {
    model: `ex3-${params.variant}`,
    variant: params.variant,
    task: 'frame-prediction',
    context_frames: c,
    future_frames: f,
    ...errors,
    val_mse: trained.bestValue,
    mean_image_mse: mse(test.future, new Float32Array(test.future.length).fill(trainMean)),
    copy_last_mse: mse(test.future, repeatLast(test.context, c, f, pixels)),
    parameters,
    course_range: { test_mse: [...COURSE.test_mse], parameters: [...COURSE.parameters] },
    in_course_range: { test_mse: inside(errors.test_mse, COURSE.test_mse), parameters: inside(parameters, COURSE.parameters) },
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    frames: data.frames,
    size: data.size,
    train_clips: data.split.train.length,
    test_clips: data.split.test.length,
    backend,
  };

  const shown = Math.min(params.examples, data.split.test.length);
  const frameAt = (v: Float32Array, at: number): Float32Array => v.slice(at * pixels, (at + 1) * pixels);
  await mkdir(ctx.outDir, { recursive: true });
  await writePredictions(ctx.outDir, {
    model: metrics.model, contextFrames: c, futureFrames: f, size: data.size,
    clipIds: Array.from(data.split.test.subarray(0, shown)),
    clips: Array.from({ length: shown }, (_, k) => ({
      truth: [...Array.from({ length: c }, (_, t) => frameAt(test.context, k * c + t)), ...Array.from({ length: f }, (_, t) => frameAt(test.future, k * f + t))],
      prediction: Array.from({ length: f }, (_, t) => frameAt(pred, k * f + t)),
    })),
  });
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: metrics.model, best_epoch: trained.bestEpoch, epochs: trained.history });
  if (ctx.modelDir !== undefined) {
    await model.save(ctx.modelDir);
    // What the server needs to check a clip and shape the answer (lib/serve/video.ts).
    await writeServing(ctx.modelDir, {
      kind: 'video-frames', model: metrics.model, inputFrames: c, outputFrames: f, height: data.size, width: data.size,
      input: `the context: ${c} frames × ${data.size} rows × ${data.size} columns of pixel intensities in [0, 1]`,
      output: `the ${f} frames that follow it, each ${data.size} × ${data.size} intensities in [0, 1]`,
    });
  }
  model.dispose();
  return { metrics };
}
