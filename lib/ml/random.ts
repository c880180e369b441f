/**
 * Seeded randomness for everything the library draws: generated data, splits, initial weights,
 * dropout masks, batch shuffles and teacher-forcing coins all trace back to the one `seed` in
 * `pipeline.yaml`, each through its own child seed `deriveSeed(seed, 'data/dates')`,
 * `deriveSeed(seed, 'init/3')`… (see {@link deriveSeed}; the one seed-derivation scheme).
 *
 * tfjs itself draws from `Math.random` unless an initializer or op is given a seed, and
 * `model.fit({shuffle: true})` always does; so train with `shuffle: false` over batches ordered
 * by `rng(…).shuffle`, build layers with {@link seededInit}, and use {@link seededDropoutFunc} /
 * {@link SeededDropout} for dropout.
 */
import * as tf from '@tensorflow/tfjs';

/** A deterministic stream of random numbers (xoshiro128**). */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo?: number, hi?: number): number;
  /** Normal with the given mean and standard deviation (Box–Muller). */
  normal(mean?: number, std?: number): number;
  /** Integer uniform in [lo, hi), hi exclusive. */
  int(lo: number, hi: number): number;
  /** Fisher–Yates shuffle in place (an array or a typed array); returns the same object. */
  shuffle<A extends Shufflable>(items: A): A;
  /** A fresh 32-bit seed drawn from this stream (for child generators or tfjs ops). */
  seed(): number;
}

/** What {@link Rng.shuffle} permutes in place: arrays and typed arrays. */
export interface Shufflable {
  length: number;
  [index: number]: unknown;
}

/** The 32-bit finaliser of MurmurHash3: a bijection that scatters nearby seeds far apart. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  // Fold the high bits in so seeds beyond 2^32 do not collide with their low halves.
  return (seed >>> 0) ^ fmix32(Math.floor(seed / 4294967296) >>> 0);
}

/** A generator seeded with an integer; the same seed gives the same stream everywhere. */
export function rng(seed: number): Rng {
  // splitmix32-style expansion of the seed into the 128-bit xoshiro state (never all zero).
  let x = checkSeed(seed);
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    s[i] = fmix32(x);
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  let spare: number | undefined;
  const nextU32 = xoshiro128ss(s);
  const next = (): number => nextU32() / 4294967296;

  const r: Rng = {
    next,
    uniform: (lo = 0, hi = 1) => lo + (hi - lo) * next(),
    normal(mean = 0, std = 1) {
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return mean + std * z;
      }
      // 1 - next() lies in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return mean + std * radius * Math.cos(angle);
    },
    int(lo, hi) {
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) {
        throw new RangeError(`int(lo, hi) needs integers with lo < hi, got ${lo}, ${hi}`);
      }
      return lo + Math.floor(next() * (hi - lo));
    },
    shuffle<A extends Shufflable>(items: A): A {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = items[i];
        items[i] = items[j];
        items[j] = tmp;
      }
      return items;
    },
    seed: () => nextU32(),
  };
  return r;
}

/**
 * The xoshiro128** generator (Blackman & Vigna) over a 4-word state, advanced in place; returns
 * the next 32-bit output. Exported so its outputs can be checked against the reference.
 */
export function xoshiro128ss(s: Uint32Array): () => number {
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The one way to derive a child seed: from a seed and a slash-separated name path naming the
 * consumer ('data/dates', 'split', 'init/3', 'dropout/2', 'train/ex1'…). Children of one seed
 * are independent of each other and of `rng(seed)`'s own stream, and adding a consumer keeps
 * the others' seeds. Nest calls to hand a part its own seed: `deriveSeed(deriveSeed(s, 'a'), 'b')`.
 */
export function deriveSeed(seed: number, path: string): number {
  let h = checkSeed(seed) ^ 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = fmix32(h ^ path.charCodeAt(i));
  return fmix32(h + path.length);
}

/** Initializers {@link seededInit} can seed. */
export type InitKind =
  | 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'leCunUniform' | 'leCunNormal'
  | 'orthogonal' | 'randomUniform' | 'randomNormal' | 'truncatedNormal' | 'zeros' | 'ones';

/** What tfjs layers accept as `kernelInitializer` and friends. */
export type SeededInitializer = ReturnType<typeof tf.initializers.zeros>;

/** Extra arguments for the initializers that take them. */
export interface InitOptions {
  /** randomUniform bounds (default ±0.05). */
  minval?: number;
  maxval?: number;
  /** randomNormal / truncatedNormal (default 0, 0.05). */
  mean?: number;
  stddev?: number;
  /** orthogonal gain (default 1). */
  gain?: number;
}

/**
 * A tfjs initializer with a fixed seed. Pass a different seed per weight (see
 * {@link deriveSeed}): tfjs reuses the seed verbatim, so equal seeds give equal weights.
 */
export function seededInit(kind: InitKind, seed: number, opts: InitOptions = {}): SeededInitializer {
  const s = checkSeed(seed);
  const init = tf.initializers;
  switch (kind) {
    case 'glorotUniform': return init.glorotUniform({ seed: s });
    case 'glorotNormal': return init.glorotNormal({ seed: s });
    case 'heUniform': return init.heUniform({ seed: s });
    case 'heNormal': return init.heNormal({ seed: s });
    case 'leCunUniform': return init.leCunUniform({ seed: s });
    case 'leCunNormal': return init.leCunNormal({ seed: s });
    case 'orthogonal': return init.orthogonal({ seed: s, gain: opts.gain ?? 1 });
    case 'randomUniform': return init.randomUniform({ seed: s, minval: opts.minval ?? -0.05, maxval: opts.maxval ?? 0.05 });
    case 'randomNormal': return init.randomNormal({ seed: s, mean: opts.mean ?? 0, stddev: opts.stddev ?? 0.05 });
    case 'truncatedNormal': return init.truncatedNormal({ seed: s, mean: opts.mean ?? 0, stddev: opts.stddev ?? 0.05 });
    case 'zeros': return init.zeros();
    case 'ones': return init.ones();
  }
}

/**
 * A `dropoutFunc` for tfjs RNN layers (`tf.layers.gru({dropout, dropoutFunc})`) whose masks are
 * seeded yet differ on every call: a tfjs seed is reused verbatim, so a fixed one would drop the
 * same units in every batch.
 */
export function seededDropoutFunc(seed: number): (x: tf.Tensor, rate: number) => tf.Tensor {
  const r = rng(seed);
  return (x, rate) => tf.dropout(x, rate, undefined, r.seed());
}

/** Arguments of {@link SeededDropout}. */
export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
}

/**
 * Dropout whose mask sequence follows from a seed: call k of a training pass uses the k-th seed
 * of `rng(seed)`. tf.layers.dropout with a seed would repeat one mask for the whole run.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private stream: Rng;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = checkSeed(args.seed);
    this.stream = rng(this.seed);
    this.supportsMasking = true;
  }

  /** Restart the mask sequence, e.g. before retraining from the same seed. */
  resetSeed(): void {
    this.stream = rng(this.seed);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (kwargs['training'] !== true || this.rate === 0) return x.clone();
      return tf.dropout(x, this.rate, undefined, this.stream.seed());
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
