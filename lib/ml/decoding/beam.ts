/** Beam search over any {@link Decodable}, all inputs × beams in one batch per step. */
import * as tf from '@tensorflow/tfjs';
import {
  type Decodable, type DecodeOptions, type Hypothesis, disposeTree, gatherTree, sourceLengths,
  toSourceTensor,
} from './types.ts';

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions extends DecodeOptions {
  /** Beams kept per input (k ≥ 1). */
  beamWidth: number;
  /** α of the length penalty (default 0: rank by raw log-probability). */
  lengthPenalty?: number;
  /** 'gnmt' (default): ((5 + len) / 6)^α, Wu et al. 2016 eq. 14; 'simple': len^α. */
  lengthPenaltyKind?: 'gnmt' | 'simple';
}

/** The divisor of a hypothesis' log-probability; `len` counts the end token when produced. */
export function lengthPenalty(len: number, alpha: number, kind: 'gnmt' | 'simple' = 'gnmt'): number {
  if (alpha === 0) return 1;
  return kind === 'gnmt' ? Math.pow((5 + len) / 6, alpha) : Math.pow(Math.max(len, 1), alpha);
}

interface Beam {
  tokens: number[];
  logProb: number;
  attention: number[][];
}

interface Candidate {
  beam: number;
  token: number;
  total: number;
}

/** The `n` best tokens of one row of log-probabilities (ties: lower token id first). */
function topTokens(lp: Float32Array, offset: number, vocab: number, n: number): { token: number; value: number }[] {
  const best: { token: number; value: number }[] = [];
  for (let v = 0; v < vocab; v++) {
    const value = lp[offset + v] ?? -Infinity;
    if (best.length === n && value <= (best[n - 1]?.value ?? -Infinity)) continue;
    let i = best.length;
    while (i > 0 && (best[i - 1]?.value ?? Infinity) < value) i--;
    best.splice(i, 0, { token: v, value });
    if (best.length > n) best.pop();
  }
  return best;
}

/**
 * Beam search. Per input, each step extends every live beam by its 2k best tokens, ranks all
 * candidates by log-probability (ties: earlier beam, then lower token id), and keeps the first
 * k that do not end; a candidate ending with `endToken` is kept as finished when it ranks in
 * the top k (the rule of Hugging Face's BeamSearchScorer). An input stops once its best
 * finished score is at least the best score any live beam could still reach (so a live beam
 * that would win is never dropped; holding k finished hypotheses is not enough), when nothing
 * is left alive, or after `maxLen` tokens, when its live beams count as finished too. The winner
 * maximises logProb / lengthPenalty(len). With k = 1 this is exactly {@link greedyDecode}.
 * Leaves no tensors behind.
 */
export function beamSearch<E extends object, S extends object>(
  model: Decodable<E, S>, src: number[][] | tf.Tensor2D, opts: BeamSearchOptions,
): Hypothesis[] {
  return beamSearchNBest(model, src, opts).map((list) => list[0] ?? { tokens: [], logProb: 0, score: 0, attention: [] });
}

/**
 * Like {@link beamSearch}, but returns every hypothesis kept for each input (the ones finished
 * before the search stopped, plus the live beams of inputs cut off by `maxLen`), best first.
 * The first is the search's answer; the list may hold fewer than k hypotheses, since the search
 * stops as soon as no live beam can beat the best finished one.
 */
export function beamSearchNBest<E extends object, S extends object>(
  model: Decodable<E, S>, src: number[][] | tf.Tensor2D, opts: BeamSearchOptions,
): Hypothesis[][] {
  const k = opts.beamWidth;
  if (!Number.isInteger(k) || k < 1) throw new Error(`beamSearch: beamWidth must be a positive integer, got ${k}`);
  const alpha = opts.lengthPenalty ?? 0;
  const kind = opts.lengthPenaltyKind ?? 'gnmt';
  const srcTensor = toSourceTensor(src, model.padId);
  const enc0 = model.encode(srcTensor);
  if (srcTensor !== src) srcTensor.dispose();
  const B = model.sourceMask(enc0).shape[0];
  const lengths = sourceLengths(model, enc0);
  // Row b·k + j holds beam j of input b.
  const tile = tf.tensor1d(Array.from({ length: B * k }, (_, r) => Math.floor(r / k)), 'int32');
  const enc = gatherTree(enc0, tile);
  tile.dispose();
  disposeTree(enc0);
  let state = model.initialState(enc);
  const alive: (Beam | undefined)[][] = Array.from({ length: B }, () =>
    Array.from({ length: k }, (_, j) => (j === 0 ? { tokens: [], logProb: 0, attention: [] } : undefined)));
  const finished: Beam[][] = Array.from({ length: B }, () => []);
  const done = new Array<boolean>(B).fill(false);
  const score = (h: Beam): number => h.logProb / lengthPenalty(h.tokens.length, alpha, kind);
  const bestFinished = (fin: Beam[]): number => Math.max(-Infinity, ...fin.map(score));
  // The most any descendant of a live beam of `len` tokens can still score. Its log-probability
  // only falls (every step adds a log-probability ≤ 0), but the length penalty may grow with the
  // length, and dividing a negative log-probability by a larger penalty raises the score. The
  // final length lies in [len + 1, maxLen] and the penalty is monotone in it, so the largest
  // penalty sits at one end: logProb / max(lp(len + 1), lp(maxLen)) bounds every descendant.
  // (With α = 0 this is the beam's own log-probability.) At maxLen a live beam grows no more
  // and counts as finished with its own score.
  const bestLiveBound = (live: { beam: Beam }[], len: number): number => {
    if (len >= opts.maxLen) return Math.max(...live.map((n) => score(n.beam)));
    const widest = Math.max(lengthPenalty(len + 1, alpha, kind), lengthPenalty(opts.maxLen, alpha, kind));
    return Math.max(...live.map((n) => n.beam.logProb / widest));
  };
  try {
    for (let t = 0; t < opts.maxLen && done.some((d) => !d); t++) {
      const prevTokens = alive.flatMap((beams) => beams.map((beam) => beam?.tokens.at(-1) ?? opts.startToken));
      const prev = tf.tensor1d(prevTokens, 'int32');
      const out = model.step(enc, prev, state);
      const logp = tf.logSoftmax(out.logits);
      const lp = logp.dataSync() as Float32Array;
      const w = out.weights.dataSync() as Float32Array;
      const [, vocab] = out.logits.shape;
      const srcLen = out.weights.shape[1];
      tf.dispose([prev, out.logits, out.weights, logp]);
      const order = Array.from({ length: B * k }, (_, r) => r);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        const beams = alive[b] ?? [];
        const candidates: Candidate[] = [];
        beams.forEach((beam, j) => {
          if (!beam) return;
          for (const { token, value } of topTokens(lp, (b * k + j) * vocab, vocab, 2 * k)) {
            candidates.push({ beam: j, token, total: beam.logProb + value });
          }
        });
        candidates.sort((x, y) => y.total - x.total || x.beam - y.beam || x.token - y.token);
        const next: { beam: Beam; from: number }[] = [];
        for (const [rank, c] of candidates.entries()) {
          if (next.length === k) break;
          const parent = beams[c.beam] as Beam;
          const row = b * k + c.beam;
          const extended: Beam = {
            tokens: [...parent.tokens, c.token],
            logProb: c.total,
            attention: [...parent.attention, Array.from(w.subarray(row * srcLen, row * srcLen + (lengths[b] ?? srcLen)))],
          };
          if (c.token !== opts.endToken) next.push({ beam: extended, from: c.beam });
          else if (rank < k) (finished[b] as Beam[]).push(extended);
        }
        // Also done when nothing is left alive (every candidate ended, e.g. a tiny vocabulary).
        if (next.length === 0 || bestFinished(finished[b] ?? []) >= bestLiveBound(next, t + 1)) {
          done[b] = true;
          alive[b] = new Array<Beam | undefined>(k).fill(undefined);
          continue;
        }
        alive[b] = Array.from({ length: k }, (_, s) => next[s]?.beam);
        next.forEach((n, s) => { order[b * k + s] = b * k + n.from; });
      }
      const idx = tf.tensor1d(order, 'int32');
      const reordered = gatherTree(out.state, idx);
      idx.dispose();
      disposeTree(out.state);
      disposeTree(state);
      state = reordered;
    }
  } finally {
    disposeTree(state);
    disposeTree(enc);
  }
  return finished.map((fin, b) => {
    const pool = [...fin, ...(done[b] ? [] : (alive[b] ?? []).filter((x): x is Beam => x !== undefined))];
    const scored = pool.map((h) => ({ ...h, score: score(h) }));
    // Stable sort: on equal scores the earlier-finished (then higher-ranked) hypothesis wins.
    scored.sort((x, y) => y.score - x.score);
    return scored;
  });
}
