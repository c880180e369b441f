/**
 * A tiny seeded PRNG for the data generators. Stand-in until `lib/ml/random.ts` is shared by the
 * whole library; the integrator may swap it in, which changes the generated data (and so the
 * cached pipeline outputs) once. Generators only use the `Rng` interface below.
 */

/** A deterministic stream of random numbers. */
export interface Rng {
  /** Uniform float in [0, 1), 32 bits of entropy. */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** Shuffles a typed array in place and returns it. */
  shuffleTyped<A extends Int32Array | Uint32Array | Float32Array>(items: A): A;
}

/** Mixes an integer or string seed into a well-spread 32-bit state (a splitmix/murmur finaliser). */
export function hashSeed(seed: number | string): number {
  let h = 0x9e3779b9;
  const text = typeof seed === 'number' ? `n:${seed}` : `s:${seed}`;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A mulberry32 generator. Sub-streams for independent parts of a data set are made with
 * `createRng(`${seed}/part`)`, so adding draws to one part never shifts another.
 */
export function createRng(seed: number | string): Rng {
  let state = hashSeed(seed);
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int,
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // 1 - u keeps the log argument in (0, 1]
      const r = Math.sqrt(-2 * Math.log(1 - next()));
      const theta = 2 * Math.PI * next();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
    shuffleTyped: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const t = items[i]!;
        items[i] = items[j]!;
        items[j] = t;
      }
      return items;
    },
  };
  return rng;
}
