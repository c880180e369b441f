/**
 * A tiny seeded PRNG (mulberry32) for the draws the models make outside tensors, such as the
 * teacher-forcing coin of scheduled sampling. Same seed → same sequence on every platform.
 */

/** A seeded source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** mulberry32 (Tommy Ettinger): 32-bit state, good enough for coins and shuffles. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
