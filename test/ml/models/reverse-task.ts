/** The tiny reverse task the model and decoding tests share. */
import { rng as seededRng } from '../../../lib/ml/random.ts';
import type { Seq2SeqBatch, Seq2SeqConfig } from '../../../lib/ml/models/seq2seq.ts';

/** A source and its target (reversed source, then the end token). */
export interface Pair {
  src: number[];
  tgt: number[];
}

/** Reverse task: 0 pad, 1 start, 2 end, symbols 3..7, lengths 3..5. */
export function reverseTask(n: number, seed: number): Pair[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, () => {
    const src = Array.from({ length: 3 + Math.floor(rng.next() * 3) }, () => 3 + Math.floor(rng.next() * 5));
    return { src, tgt: [...src].reverse().concat(2) };
  });
}

/** Consecutive batches of `size` pairs. */
export function batches(pairs: Pair[], size: number): Seq2SeqBatch[] {
  const out: Seq2SeqBatch[] = [];
  for (let i = 0; i < pairs.length; i += size) {
    const part = pairs.slice(i, i + size);
    out.push({ src: part.map((p) => p.src), tgt: part.map((p) => p.tgt) });
  }
  return out;
}

/** A small GRU model with dot attention that learns the task in a few epochs. */
export const REVERSE_MODEL: Seq2SeqConfig = {
  srcVocab: 8, tgtVocab: 8, startToken: 1, endToken: 2, embedDim: 12, units: 24,
  encoder: { kind: 'rnn', cell: 'gru' }, cell: 'gru', attention: 'dot', learningRate: 0.02, seed: 42,
};
