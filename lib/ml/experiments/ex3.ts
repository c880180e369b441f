/**
 * Exercise 3 and its ablations: reconstruct Moving-MNIST-like clips with the temporal latent
 * model (`models/temporal-latent.ts`) in one of its variants. Keeps the weights of the epoch with the lowest
 * validation MSE. Errors are per pixel on [0, 1] intensities.
 *
 * Outputs in `ctx.outDir`: `metrics.json`, `history.json`, and a few test clips with their
 * reconstructions: `reconstructions.json` (which clips, layout) + `reconstructions.bin` (uint8).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type MovingMnistData, readMovingMnist } from '../data/moving-mnist.ts';
import { mae, mse } from '../metrics/regression.ts';
import { type Ex3Variant, TEMPORAL_LATENT_PARAMS, TemporalLatentModel } from '../models/temporal-latent.ts';
import { batches, fit } from '../train/index.ts';
import { currentBackend } from './backend.ts';
import { type BackendRecord, type RunContext, gatherRows, writeJson } from './common.ts';
import { type Infer, type ParamCheck, checkParams, count, obj } from '../params.ts';
import { SEED, TRAIN_FIELDS, fitSettings } from './train-params.ts';

/** The `ex3` section of pipeline.yaml: its one declaration, type and check alike. */
export const EX3_PARAMS = obj({
  ...TEMPORAL_LATENT_PARAMS,
  ...TRAIN_FIELDS,
  /** How many test clips to save with their reconstructions. */
  examples: count(0),
});

/** The params of the `train-ex3` and `ablate` stages. */
export const EX3_STAGE_PARAMS = obj({ seed: SEED, ex3: EX3_PARAMS });
import { writeHistory, writeMetrics, writeServing } from '../artifacts/index.ts';

/** Params of exercise 3 (`ex3` in pipeline.yaml, plus `seed`, the data bundle and the variant). */
export type Ex3Params = Infer<typeof EX3_PARAMS> & {
  seed: number;
  /** A bundle written by `writeMovingMnist` (`data/moving-digits`). */
  dataDir: string;
  variant: Ex3Variant;
};

/** Check a `train-ex3` stage's params (see `lib/ml/params.ts`). */
export const validateEx3Params = (raw: unknown): ParamCheck<Infer<typeof EX3_STAGE_PARAMS>> => checkParams(EX3_STAGE_PARAMS, raw);

/** What `metrics.json` holds. */
export interface Ex3Metrics {
  model: string;
  variant: Ex3Variant;
  task: 'regression';
  test_mse: number;
  test_mae: number;
  val_mse: number;
  /** Test MSE and MAE per frame index (0-based), for long-horizon consistency. */
  mse_per_frame: number[];
  mae_per_frame: number[];
  /** MSE of predicting the mean training pixel everywhere: the floor any model must beat. */
  mean_baseline_mse: number;
  parameters: number;
  /** The course's expected ranges and whether this run falls inside them. */
  course_range: { test_mse: [number, number]; test_mae: [number, number]; parameters: [number, number] };
  in_course_range: { test_mse: boolean; test_mae: boolean; parameters: boolean };
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

const COURSE = { test_mse: [0.01, 0.02], test_mae: [0.08, 0.12], parameters: [1e6, 2e6] } as const;
const inside = (v: number, [lo, hi]: readonly [number, number]): boolean => v >= lo && v <= hi;

/** Reconstructions (flat, clips × frames × pixels) of clips `idx`. */
function reconstruct(model: TemporalLatentModel, data: MovingMnistData, idx: ArrayLike<number>): Float32Array {
  const width = data.frames * data.size * data.size;
  const out = new Float32Array(idx.length * width);
  let at = 0;
  for (const rows of batches(idx, 64)) {
    const x = tf.tensor3d(gatherRows(data.clips, width, rows), [rows.length, data.frames, data.size * data.size]);
    out.set(model.predict(x), at * width);
    x.dispose();
    at += rows.length;
  }
  return out;
}

/** Every `frames`-th block of `pixels` values starting at frame f, over all clips. */
function frameSlice(v: Float32Array, frames: number, pixels: number, f: number): Float32Array {
  const clips = v.length / (frames * pixels);
  const out = new Float32Array(clips * pixels);
  for (let c = 0; c < clips; c++) out.set(v.subarray((c * frames + f) * pixels, (c * frames + f + 1) * pixels), c * pixels);
  return out;
}

/** Trains one variant of exercise 3's model and writes its outputs; see the file comment. */
export async function run(params: Ex3Params, ctx: RunContext): Promise<Ex3Result> {
  const backend = await currentBackend();
  const data = await readMovingMnist(params.dataDir);
  const pixels = data.size * data.size;
  const width = data.frames * pixels;
  // The architecture params are the model's config as they are: the field list lives in EX3_PARAMS only.
  const { dataDir: _data, lr, epochs: _e, batchSize: _b, schedule: _s, patience: _p, examples: _x, ...arch } = params;
  const model = new TemporalLatentModel({ ...arch, pixels, learningRate: lr });
  const clipsOf = (idx: ArrayLike<number>): Float32Array => gatherRows(data.clips, width, Array.from(idx));
  const valTruth = clipsOf(data.split.val);
  const trained = fit(model, {
    ...fitSettings(params), examples: data.split.train, seed: params.seed, stream: `ex3/${params.variant}`,
    batch: (rows) => tf.tensor3d(gatherRows(data.clips, width, rows), [rows.length, data.frames, pixels]),
    validate: () => ({ val_mse: mse(valTruth, reconstruct(model, data, data.split.val)) }),
    monitor: { metric: 'val_mse', mode: 'min' },
    onEpoch: ctx.onEpoch,
  });
  ctx.onTiming?.('train', trained.trainTimeS);

  const truth = clipsOf(data.split.test);
  const recon = reconstruct(model, data, data.split.test);
  let trainMean = 0;
  for (const i of data.split.train) for (const v of data.clips.subarray(i * width, (i + 1) * width)) trainMean += v;
  trainMean /= Math.max(1, data.split.train.length * width);
  const perFrame = Array.from({ length: data.frames }, (_, f) => {
    const t = frameSlice(truth, data.frames, pixels, f);
    const r = frameSlice(recon, data.frames, pixels, f);
    return { mse: mse(t, r), mae: mae(t, r) };
  });
  const testMse = mse(truth, recon);
  const testMae = mae(truth, recon);
  const parameters = model.parameterCount();
  const metrics: Ex3Metrics = {
    model: `ex3-${params.variant}`,
    variant: params.variant,
    task: 'regression',
    test_mse: testMse,
    test_mae: testMae,
    val_mse: trained.bestValue,
    mse_per_frame: perFrame.map((p) => p.mse),
    mae_per_frame: perFrame.map((p) => p.mae),
    mean_baseline_mse: mse(truth, new Float32Array(truth.length).fill(trainMean)),
    parameters,
    course_range: { test_mse: [...COURSE.test_mse], test_mae: [...COURSE.test_mae], parameters: [...COURSE.parameters] },
    in_course_range: {
      test_mse: inside(testMse, COURSE.test_mse), test_mae: inside(testMae, COURSE.test_mae), parameters: inside(parameters, COURSE.parameters),
    },
    best_epoch: trained.bestEpoch,
    epochs: params.epochs,
    frames: data.frames,
    size: data.size,
    train_clips: data.split.train.length,
    test_clips: data.split.test.length,
    backend,
  };

  // Truth and reconstruction of the first test clips, quantised to bytes like the data bundle.
  const shown = Math.min(params.examples, data.split.test.length);
  const bin = new Uint8Array(shown * 2 * width);
  for (let k = 0; k < shown; k++) {
    const q = (v: Float32Array): Uint8Array => Uint8Array.from(v.subarray(k * width, (k + 1) * width), (x) => Math.round(Math.min(1, Math.max(0, x)) * 255));
    bin.set(q(truth), 2 * k * width);
    bin.set(q(recon), (2 * k + 1) * width);
  }
  await mkdir(ctx.outDir, { recursive: true });
  await writeFile(path.join(ctx.outDir, 'reconstructions.bin'), bin);
  await writeJson(path.join(ctx.outDir, 'reconstructions.json'), {
    model: metrics.model, file: 'reconstructions.bin', dtype: 'uint8', scale: 1 / 255,
    layout: 'clip × [truth, reconstruction] × frame × row × column', shape: [shown, 2, data.frames, data.size, data.size],
    clips: Array.from(data.split.test.subarray(0, shown)),
  });
  await writeMetrics(path.join(ctx.outDir, 'metrics.json'), metrics);
  await writeHistory(path.join(ctx.outDir, 'history.json'), { model: metrics.model, best_epoch: trained.bestEpoch, epochs: trained.history });
  if (ctx.modelDir !== undefined) {
    await model.save(ctx.modelDir);
    // What the server needs to check a clip and shape the answer (lib/serve/video.ts).
    await writeServing(ctx.modelDir, {
      kind: 'video-frames', model: metrics.model, inputFrames: data.frames, outputFrames: data.frames, height: data.size, width: data.size,
      input: `a clip: ${data.frames} frames × ${data.size} rows × ${data.size} columns of pixel intensities in [0, 1]`,
      output: `its reconstruction: ${data.frames} frames × ${data.size} × ${data.size} intensities in [0, 1]`,
    });
  }
  model.dispose();
  return { metrics };
}
