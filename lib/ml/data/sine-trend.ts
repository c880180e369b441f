/**
 * Exercise 2 data: a noisy sine with a linear trend, cut into `inputSteps`-step windows whose
 * targets are the next `targetSteps` values. The series is z-normalised with the mean and standard
 * deviation of the TRAINING part only (kept in `norm` to map predictions back).
 *
 * Splits: `chronological` (default) cuts the series into three contiguous segments and windows
 * each separately, so no target of one split is an input of another; `shuffle` windows the whole
 * series and splits the windows at random (overlapping windows then leak across splits — only
 * for comparison).
 */
import { type Bundle, getArray, readBundle, readSplit, splitArrays, writeBundle } from './io.ts';
import { deriveSeed, rng as seededRng } from '../random.ts';
import { DEFAULT_SPLIT, type SplitFractions, type SplitIndices, randomSplit } from './splits.ts';

/** Options of `generateSineTrend`. */
export interface SineTrendOptions {
  /** Length of the raw series. Default 2000. */
  length?: number;
  /** Default 50. */
  inputSteps?: number;
  /** Default 10. */
  targetSteps?: number;
  /** Steps between window starts. Default 1. */
  stride?: number;
  /** Sine period in steps (jittered ±10% by the seed). Default 40. */
  period?: number;
  /** Default 1. */
  amplitude?: number;
  /** Trend per step. Default 0.002. */
  trend?: number;
  /** Noise standard deviation. Default 0.1. */
  noise?: number;
  /** Default 42. */
  seed?: number;
  split?: SplitFractions;
  splitMode?: 'chronological' | 'shuffle';
}

/** A windowed forecasting data set. */
export interface ForecastData {
  /** `n × inputSteps` (one feature), normalised. */
  x: Float32Array;
  /** `n × targetSteps`, normalised. */
  y: Float32Array;
  n: number;
  inputSteps: number;
  targetSteps: number;
  /** The whole normalised series, for plots. */
  series: Float32Array;
  /** Start index in `series` of each window. */
  starts: Int32Array;
  /** raw = normalised · std + mean. */
  norm: { mean: number; std: number };
  split: SplitIndices;
  options: Required<SineTrendOptions>;
}

const KIND = 'sine-trend';

function resolve(opts: SineTrendOptions): Required<SineTrendOptions> {
  const o: Required<SineTrendOptions> = {
    length: opts.length ?? 2000,
    inputSteps: opts.inputSteps ?? 50,
    targetSteps: opts.targetSteps ?? 10,
    stride: opts.stride ?? 1,
    period: opts.period ?? 40,
    amplitude: opts.amplitude ?? 1,
    trend: opts.trend ?? 0.002,
    noise: opts.noise ?? 0.1,
    seed: opts.seed ?? 42,
    split: opts.split ?? DEFAULT_SPLIT,
    splitMode: opts.splitMode ?? 'chronological',
  };
  const win = o.inputSteps + o.targetSteps;
  const smallest = Math.min(o.split.val || 1, o.split.test || 1, o.split.train || 1);
  if (o.splitMode === 'chronological' && o.length * smallest < win) {
    throw new Error(`sine-trend: length ${o.length} is too short for ${win}-step windows in every split`);
  }
  return o;
}

/** Window start positions in `[from, to)` such that the whole window fits. */
function windowStarts(from: number, to: number, win: number, stride: number): number[] {
  const out: number[] = [];
  for (let s = from; s + win <= to; s += stride) out.push(s);
  return out;
}

/** Generates the data set; same options → identical arrays. */
export function generateSineTrend(opts: SineTrendOptions = {}): ForecastData {
  const o = resolve(opts);
  const rng = seededRng(deriveSeed(o.seed, 'data/sine-trend'));
  const period = o.period * rng.uniform(0.9, 1.1);
  const phase = rng.uniform(0, 2 * Math.PI);
  const raw = new Float64Array(o.length);
  for (let t = 0; t < o.length; t++) {
    raw[t] = o.amplitude * Math.sin((2 * Math.PI * t) / period + phase) + o.trend * t + o.noise * rng.normal();
  }
  const win = o.inputSteps + o.targetSteps;
  let starts: number[];
  let split: SplitIndices;
  if (o.splitMode === 'chronological') {
    const a = Math.round(o.length * o.split.train);
    const b = a + Math.round(o.length * o.split.val);
    const parts = [windowStarts(0, a, win, o.stride), windowStarts(a, b, win, o.stride), windowStarts(b, o.length, win, o.stride)];
    starts = parts.flat();
    const [n0, n1] = [parts[0]!.length, parts[1]!.length];
    const range = (lo: number, hi: number) => Int32Array.from({ length: hi - lo }, (_, i) => lo + i);
    split = { train: range(0, n0), val: range(n0, n0 + n1), test: range(n0 + n1, starts.length) };
  } else {
    starts = windowStarts(0, o.length, win, o.stride);
    split = randomSplit(starts.length, o.split, o.seed);
  }
  // statistics over the values the training windows see
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  const seen = new Uint8Array(o.length);
  for (const w of split.train) {
    const s = starts[w]!;
    for (let t = s; t < s + win; t++) seen[t] = 1;
  }
  for (let t = 0; t < o.length; t++) {
    if (seen[t]) {
      sum += raw[t]!;
      sumSq += raw[t]! * raw[t]!;
      count++;
    }
  }
  const mean = count ? sum / count : 0;
  const std = count ? Math.sqrt(Math.max(sumSq / count - mean * mean, 0)) || 1 : 1;
  const series = Float32Array.from(raw, (v) => (v - mean) / std);
  const n = starts.length;
  const x = new Float32Array(n * o.inputSteps);
  const y = new Float32Array(n * o.targetSteps);
  starts.forEach((s, i) => {
    x.set(series.subarray(s, s + o.inputSteps), i * o.inputSteps);
    y.set(series.subarray(s + o.inputSteps, s + win), i * o.targetSteps);
  });
  return {
    x,
    y,
    n,
    inputSteps: o.inputSteps,
    targetSteps: o.targetSteps,
    series,
    starts: Int32Array.from(starts),
    norm: { mean, std },
    split,
    options: o,
  };
}

interface Meta {
  options: Required<SineTrendOptions>;
  norm: { mean: number; std: number };
}

/** Writes the data set as a bundle into `dir`. */
export async function writeSineTrend(dir: string, data: ForecastData): Promise<void> {
  const meta: Meta = { options: data.options, norm: data.norm };
  await writeBundle(dir, KIND, meta, {
    x: { data: data.x, shape: [data.n, data.inputSteps] },
    y: { data: data.y, shape: [data.n, data.targetSteps] },
    series: { data: data.series, shape: [data.series.length] },
    starts: { data: data.starts, shape: [data.n] },
    ...splitArrays(data.split),
  });
}

/** Reads a data set written by `writeSineTrend`. */
export async function readSineTrend(dir: string): Promise<ForecastData> {
  const b: Bundle<Meta> = await readBundle(dir, KIND);
  const x = getArray(b, 'x', Float32Array);
  const y = getArray(b, 'y', Float32Array);
  return {
    x: x.data,
    y: y.data,
    n: x.shape[0] ?? 0,
    inputSteps: x.shape[1] ?? 0,
    targetSteps: y.shape[1] ?? 0,
    series: getArray(b, 'series', Float32Array).data,
    starts: getArray(b, 'starts', Int32Array).data,
    norm: b.meta.norm,
    split: readSplit(b),
    options: b.meta.options,
  };
}
