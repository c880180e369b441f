/** Greedy decoding: the most probable next token at every step. */
import * as tf from '@tensorflow/tfjs';
import {
  type Decodable, type DecodeOptions, type Hypothesis, disposeTree, sourceLengths, toSourceTensor,
} from './types.ts';

/** Index of the largest value in `row` (the first one on ties, like beam search's ordering). */
export function argMaxRow(values: Float32Array, offset: number, width: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let v = 0; v < width; v++) {
    const x = values[offset + v] ?? -Infinity;
    if (x > bestValue) { bestValue = x; best = v; }
  }
  return best;
}

/**
 * Decode every source row greedily, in one batch, until each has produced `endToken` or
 * `maxLen` tokens. `score` equals `logProb` (no length penalty: nothing is being ranked).
 * Leaves no tensors behind.
 */
export function greedyDecode<E extends object, S extends object>(
  model: Decodable<E, S>, src: number[][] | tf.Tensor2D, opts: DecodeOptions & {
    /** False: leave every `attention` empty and skip reading the weights back (a server not asked for them). */
    attention?: boolean;
  },
): Hypothesis[] {
  const withAttention = opts.attention ?? true;
  const srcTensor = toSourceTensor(src, model.padId);
  const enc = model.encode(srcTensor);
  if (srcTensor !== src) srcTensor.dispose();
  const b = model.sourceMask(enc).shape[0];
  const lengths = sourceLengths(model, enc);
  const hyps: Hypothesis[] = Array.from({ length: b }, () => ({ tokens: [], logProb: 0, score: 0, attention: [] }));
  const done = new Array<boolean>(b).fill(false);
  let state = model.initialState(enc);
  let prevTokens = new Array<number>(b).fill(opts.startToken);
  try {
    for (let t = 0; t < opts.maxLen && done.some((d) => !d); t++) {
      const prev = tf.tensor1d(prevTokens, 'int32');
      const out = model.step(enc, prev, state);
      const logp = tf.logSoftmax(out.logits);
      const lp = logp.dataSync() as Float32Array;
      const w = withAttention ? (out.weights.dataSync() as Float32Array) : undefined;
      const [, vocab] = out.logits.shape;
      const srcLen = out.weights.shape[1];
      tf.dispose([prev, out.logits, out.weights, logp]);
      disposeTree(state);
      state = out.state;
      prevTokens = prevTokens.map((p, i) => {
        const h = hyps[i];
        if (done[i] || !h) return p;
        const token = argMaxRow(lp, i * vocab, vocab);
        h.tokens.push(token);
        h.logProb += lp[i * vocab + token] ?? -Infinity;
        if (w) h.attention.push(Array.from(w.subarray(i * srcLen, i * srcLen + (lengths[i] ?? srcLen))));
        if (token === opts.endToken) done[i] = true;
        return token;
      });
    }
  } finally {
    disposeTree(state);
    disposeTree(enc);
  }
  for (const h of hyps) h.score = h.logProb;
  return hyps;
}
