/**
 * The trainer's one door to randomness: a named, seeded stream for shuffling the training
 * examples. Kept to this file so that a change of the library's generator is one edit.
 */
import { createRng } from '../data/prng.ts';

/** Shuffles index lists reproducibly; independent per `part` for the same seed. */
export interface ShuffleStream {
  /** A shuffled copy of `indices`. */
  shuffled(indices: ArrayLike<number>): number[];
}

/** The shuffle stream of a run's `part` (e.g. `ex1`, `spam/lstm-masked`) under `seed`. */
export function shuffleStream(seed: number, part: string): ShuffleStream {
  const r = createRng(`${seed}/experiment/${part}`);
  return { shuffled: (indices) => r.shuffle(Array.from(indices)) };
}
