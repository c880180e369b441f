/**
 * The trainer's one door to randomness: a named, seeded stream for shuffling the training
 * examples, drawn from the library's generator (`lib/ml/random.ts`). Kept to this file so that
 * a change of that generator's API is one edit.
 */
import { deriveSeed, rng } from '../random.ts';

/** Shuffles index lists reproducibly; independent per `part` for the same seed. */
export interface ShuffleStream {
  /** A shuffled copy of `indices`. */
  shuffled(indices: ArrayLike<number>): number[];
}

/** The shuffle stream of a run's `part` (e.g. `ex1`, `spam/lstm-masked`) under `seed`. */
export function shuffleStream(seed: number, part: string): ShuffleStream {
  // `train/<part>` is the seed path the library's seed scheme gives training shuffles.
  const r = rng(deriveSeed(seed, `train/${part}`));
  return { shuffled: (indices) => r.shuffle(Array.from(indices)) };
}
