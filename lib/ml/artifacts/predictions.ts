/**
 * Exercise 3's `predictions.json` + `predictions.bin`: a few test clips, each with all its true
 * frames (context then future) and the model's predicted future frames, pixels quantised to uint8
 * like the data bundle. The JSON says which clips and the layout; the bytes are in the `.bin`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Fields, readJson, writeJson } from './json.ts';

/** One clip: pixel values in [0, 1], each frame size × size row-major. */
export interface PredictedClip {
  /** Every frame of the clip: `contextFrames` seen, then `futureFrames` to predict. */
  truth: Float32Array[];
  /** The predicted future frames (`futureFrames` of them). */
  prediction: Float32Array[];
}

/** The file pair's content. */
export interface Predictions {
  model: string;
  contextFrames: number;
  futureFrames: number;
  size: number;
  /** Test-set indices of the clips, in order. */
  clipIds: number[];
  clips: PredictedClip[];
}

const LAYOUT = 'clip × (context + future true frames, then future predicted frames) × row × column';
const toByte = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 255);

/** Writes `<base>.json` and `<base>.bin` into `dir` (base `predictions`). */
export async function writePredictions(dir: string, p: Predictions, base = 'predictions'): Promise<void> {
  const px = p.size * p.size;
  const perClip = (p.contextFrames + 2 * p.futureFrames) * px;
  const bin = new Uint8Array(p.clips.length * perClip);
  p.clips.forEach((c, k) => {
    [...c.truth, ...c.prediction].forEach((frame, f) => bin.set(Uint8Array.from(frame, toByte), k * perClip + f * px));
  });
  await writeFile(path.join(dir, `${base}.bin`), bin);
  await writeJson(path.join(dir, `${base}.json`), {
    model: p.model, file: `${base}.bin`, dtype: 'uint8', scale: 1 / 255, layout: LAYOUT,
    context_frames: p.contextFrames, future_frames: p.futureFrames, size: p.size, clips: p.clipIds,
  });
}

/** Reads and checks a file pair written by {@link writePredictions}. */
export async function readPredictions(file: string): Promise<Predictions> {
  const f = new Fields(file);
  const { doc, model } = f.root(await readJson(file));
  const [context, future, size] = [f.num(doc.context_frames, 'context_frames'), f.num(doc.future_frames, 'future_frames'), f.num(doc.size, 'size')];
  const clipIds = f.nums(doc.clips, 'clips');
  const bin = await readFile(path.join(path.dirname(file), f.str(doc.file, 'file')));
  const scale = f.optNum(doc.scale) ?? 1 / 255;
  const px = size * size;
  const perClip = (context + 2 * future) * px;
  if (bin.length !== clipIds.length * perClip) {
    throw new Error(`${file}: the .bin file has ${bin.length} bytes; ${clipIds.length} clips of ${context}+${future}+${future} frames of ${size}×${size} need ${clipIds.length * perClip}.`);
  }
  const frame = (k: number, f0: number): Float32Array => Float32Array.from(bin.subarray(k * perClip + f0 * px, k * perClip + (f0 + 1) * px), (v) => v * scale);
  return {
    model, contextFrames: context, futureFrames: future, size, clipIds,
    clips: clipIds.map((_, k) => ({
      truth: Array.from({ length: context + future }, (_, t) => frame(k, t)),
      prediction: Array.from({ length: future }, (_, t) => frame(k, context + future + t)),
    })),
  };
}
