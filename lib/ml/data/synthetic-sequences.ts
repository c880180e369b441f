/**
 * Exercise 1 data: 3-class sequences that differ by temporal pattern, not by level.
 *
 * - class 0 "rising": a zero-mean ramp from -a to +a;
 * - class 1 "bursts": short bursts of height 1.5a every P ∈ [8, 14) steps, random phase;
 * - class 2 "event": one up-then-down wave of 8 steps at a random position.
 *
 * Every sample also gets a random level offset and Gaussian noise. A fraction `ambiguous` of the
 * samples carry no pattern at all (amplitude 0): their label cannot be inferred, which caps the
 * attainable accuracy near `1 - ambiguous·2/3` (≈0.9 by default) so results are not trivially 1.0.
 * `patterned` records which samples carry their pattern, so a split's own ceiling can be stated
 * (see {@link accuracyCeiling}): with 150 test samples the patternless count alone moves it by ±0.02.
 * Classes are balanced (counts differ by at most one) and the split is stratified.
 */
import { type Bundle, getArray, readBundle, readSplit, splitArrays, writeBundle } from './io.ts';
import { type Rng, deriveSeed, rng as seededRng } from '../random.ts';
import { DEFAULT_SPLIT, type SplitFractions, type SplitIndices, stratifiedSplit } from './splits.ts';

/** Options of `generateSyntheticSequences`. */
export interface SyntheticSequencesOptions {
  /** Number of sequences. Default 1000. */
  n?: number;
  /** Time steps per sequence. Default 50. */
  steps?: number;
  /** Features per step (1–4): feature 0 is the signal, others noisy scaled copies. Default 1. */
  features?: number;
  /** Standard deviation of the additive noise. Default 0.35. */
  noise?: number;
  /** Fraction of samples without a pattern. Default 0.15. */
  ambiguous?: number;
  /** Default 42. */
  seed?: number;
  /** Default 70/15/15, stratified. */
  split?: SplitFractions;
}

/** Class names by id. */
export const SYNTHETIC_CLASS_NAMES = ['rising', 'bursts', 'event'] as const;

/** A sequence-classification data set. */
export interface SequenceClassificationData {
  /** `n × steps × features`, row-major. */
  x: Float32Array;
  /** Class id per sequence. */
  y: Int32Array;
  /** 1 where the sequence carries its class's pattern, 0 for the patternless (ambiguous) ones. */
  patterned: Uint8Array;
  n: number;
  steps: number;
  features: number;
  numClasses: number;
  classNames: readonly string[];
  split: SplitIndices;
  options: Required<SyntheticSequencesOptions>;
}

const KIND = 'synthetic-sequences';

function resolve(opts: SyntheticSequencesOptions): Required<SyntheticSequencesOptions> {
  const o = {
    n: opts.n ?? 1000,
    steps: opts.steps ?? 50,
    features: opts.features ?? 1,
    noise: opts.noise ?? 0.35,
    ambiguous: opts.ambiguous ?? 0.15,
    seed: opts.seed ?? 42,
    split: opts.split ?? DEFAULT_SPLIT,
  };
  if (!Number.isInteger(o.n) || o.n < 3) throw new Error(`synthetic sequences: n must be an integer ≥ 3, got ${o.n}`);
  if (!Number.isInteger(o.steps) || o.steps < 16) throw new Error(`synthetic sequences: steps must be ≥ 16, got ${o.steps}`);
  if (!Number.isInteger(o.features) || o.features < 1 || o.features > 4) {
    throw new Error(`synthetic sequences: features must be 1–4, got ${o.features}`);
  }
  return o;
}

/** Writes the class pattern of one sample (without offset and noise) into `out`. */
function pattern(cls: number, amp: number, out: Float64Array, rng: Rng): void {
  const T = out.length;
  out.fill(0);
  if (cls === 0) {
    for (let t = 0; t < T; t++) out[t] = amp * ((2 * t) / (T - 1) - 1);
  } else if (cls === 1) {
    const period = 8 + rng.int(0, 6);
    const phase = rng.int(0, period);
    for (let t = phase; t < T; t += period) {
      for (let k = 0; k < 3 && t + k < T; k++) out[t + k] = 1.5 * amp * (k === 1 ? 1 : 0.6);
    }
  } else {
    const width = 8;
    const at = 2 + rng.int(0, T - width - 4);
    for (let k = 0; k < width; k++) out[at + k] = 1.5 * amp * Math.sin((2 * Math.PI * k) / width);
  }
}

/** Generates the data set; same options → identical arrays. */
export function generateSyntheticSequences(opts: SyntheticSequencesOptions = {}): SequenceClassificationData {
  const o = resolve(opts);
  const rng = seededRng(deriveSeed(o.seed, 'data/synthetic-sequences'));
  const y = Int32Array.from({ length: o.n }, (_, i) => i % 3);
  rng.shuffle(y);
  const x = new Float32Array(o.n * o.steps * o.features);
  const signal = new Float64Array(o.steps);
  const patterned = new Uint8Array(o.n);
  const mix = Array.from({ length: o.features }, (_, f) => (f === 0 ? 1 : rng.uniform(0.5, 1)));
  for (let i = 0; i < o.n; i++) {
    const amp = rng.next() < o.ambiguous ? 0 : rng.uniform(0.6, 1.2);
    patterned[i] = amp > 0 ? 1 : 0;
    pattern(y[i]!, amp, signal, rng);
    const offset = rng.uniform(-0.5, 0.5);
    for (let t = 0; t < o.steps; t++) {
      for (let f = 0; f < o.features; f++) {
        x[(i * o.steps + t) * o.features + f] = offset + mix[f]! * signal[t]! + o.noise * rng.normal();
      }
    }
  }
  const split = stratifiedSplit(y, o.split, o.seed);
  return { x, y, patterned, n: o.n, steps: o.steps, features: o.features, numClasses: 3, classNames: SYNTHETIC_CLASS_NAMES, split, options: o };
}

/** Writes the data set as a bundle (see `io.ts`) into `dir`. */
export async function writeSyntheticSequences(dir: string, data: SequenceClassificationData): Promise<void> {
  await writeBundle(dir, KIND, { options: data.options, classNames: data.classNames }, {
    x: { data: data.x, shape: [data.n, data.steps, data.features] },
    y: { data: data.y, shape: [data.n] },
    patterned: { data: data.patterned, shape: [data.n] },
    ...splitArrays(data.split),
  });
}

/** Reads a data set written by `writeSyntheticSequences`. */
export async function readSyntheticSequences(dir: string): Promise<SequenceClassificationData> {
  const b: Bundle<{ options: Required<SyntheticSequencesOptions>; classNames: string[] }> = await readBundle(dir, KIND);
  const x = getArray(b, 'x', Float32Array);
  const [n = 0, steps = 0, features = 0] = x.shape;
  return {
    x: x.data,
    y: getArray(b, 'y', Int32Array).data,
    patterned: getArray(b, 'patterned', Uint8Array).data,
    n,
    steps,
    features,
    numClasses: b.meta.classNames.length,
    classNames: b.meta.classNames,
    split: readSplit(b),
    options: b.meta.options,
  };
}

/**
 * The accuracy a classifier reaches on the rows `idx` in expectation if it is right on every
 * patterned sample and can only guess (1 in `numClasses`) on the patternless ones: the split's
 * ceiling, up to the luck of those guesses.
 */
export function accuracyCeiling(data: Pick<SequenceClassificationData, 'patterned' | 'numClasses'>, idx: ArrayLike<number>): number {
  if (idx.length === 0) return 0;
  let patternless = 0;
  for (let k = 0; k < idx.length; k++) if (!data.patterned[idx[k]!]) patternless++;
  return 1 - (patternless * (1 - 1 / data.numClasses)) / idx.length;
}
