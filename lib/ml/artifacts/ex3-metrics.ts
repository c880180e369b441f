/**
 * Exercise 3's `metrics.json`: future-frame prediction errors. The type, the per-frame error
 * computation and a validating reader live here once: `lib/ml/experiments/ex3.ts` (whose
 * `Ex3Metrics` extends {@link FrameErrors}) writes through them and `lib/report` (figures, paper numbers) reads through them.
 */
import { Fields, readJson } from './json.ts';

/**
 * Errors of predicted frames against the true future frames; pixels in [0, 1]. The key names are
 * what the paper quotes (`stages/paper-numbers.ts`): keep them.
 */
export interface FrameErrors {
  /** Per-pixel MSE over every predicted frame of every clip (the course's number). */
  test_mse: number;
  /** Per-pixel MSE at each predicted frame index (0 = the first frame after the context). */
  test_mse_per_frame: number[];
  /**
   * Squared error summed over a frame's pixels, averaged over clips, per predicted frame index:
   * the convention of the published Moving-MNIST tables (there over 64×64 frames; here size×size).
   */
  test_frame_sse: number[];
  /** {@link test_frame_sse} averaged over the predicted frames: the published tables' one number per model. */
  test_frame_sse_mean: number;
  /** Per-pixel MSE over the last half of the predicted frames (the long-horizon error). */
  test_mse_late: number;
  /** Per-pixel mean absolute error over every predicted frame. */
  test_mae: number;
}

/**
 * {@link FrameErrors} of `pred` against `truth`, both clips × frames × pixels (flat, the same
 * layout). The late half is frames ⌊frames/2⌋… (all of them when there is one frame).
 */
export function frameErrors(truth: ArrayLike<number>, pred: ArrayLike<number>, frames: number, pixels: number): FrameErrors {
  const width = frames * pixels;
  if (truth.length !== pred.length || truth.length % width !== 0 || truth.length === 0) {
    throw new Error(`frameErrors: truth (${truth.length}) and prediction (${pred.length}) must be the same non-empty whole number of ${frames}×${pixels} clips`);
  }
  const clips = truth.length / width;
  const sse = new Array<number>(frames).fill(0);
  let abs = 0;
  for (let c = 0; c < clips; c++) {
    for (let f = 0; f < frames; f++) {
      const at = c * width + f * pixels;
      let s = 0;
      for (let i = at; i < at + pixels; i++) {
        const d = truth[i]! - pred[i]!;
        s += d * d;
        abs += Math.abs(d);
      }
      sse[f]! += s;
    }
  }
  const frameSse = sse.map((s) => s / clips);
  const perFrame = frameSse.map((s) => s / pixels);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    test_mse: mean(perFrame),
    test_mse_per_frame: perFrame,
    test_frame_sse: frameSse,
    test_frame_sse_mean: mean(frameSse),
    test_mse_late: mean(perFrame.slice(Math.floor(frames / 2))),
    test_mae: abs / truth.length,
  };
}

/** The fields of an exercise 3 `metrics.json` the report reads, checked. */
export interface Ex3MetricsView {
  model: string;
  test_mse: number;
  test_mse_per_frame: number[];
  test_frame_sse: number[];
  test_mse_late: number;
  context_frames: number;
}

/** Reads an exercise 3 `metrics.json`, checking the fields {@link Ex3MetricsView} names. */
export async function readEx3Metrics(file: string): Promise<Ex3MetricsView> {
  const f = new Fields(file);
  const { doc, model } = f.root(await readJson(file));
  return {
    model, test_mse: f.num(doc.test_mse, 'test_mse'), test_mse_per_frame: f.nums(doc.test_mse_per_frame, 'test_mse_per_frame'),
    test_frame_sse: f.nums(doc.test_frame_sse, 'test_frame_sse'), test_mse_late: f.num(doc.test_mse_late, 'test_mse_late'),
    context_frames: f.num(doc.context_frames, 'context_frames'),
  };
}
