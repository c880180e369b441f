/**
 * Beam search against references computed here in plain JavaScript: exhaustive search over a
 * tiny vocabulary, and the same beam run to `maxLen` without stopping early. The toy model's
 * next-token distribution depends on the whole prefix (a hash of it), so no two prefixes share
 * their continuations by accident.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { beamSearch, lengthPenalty } from '../../../lib/ml/decoding/beam.ts';
import { greedyDecode } from '../../../lib/ml/decoding/greedy.ts';
import type { Decodable, StepOutput } from '../../../lib/ml/decoding/types.ts';
import { useBackend } from '../helpers.ts';

const START = 0;
const END = 1;
const VOCAB = 4;
const MAX_LEN = 4;

type Enc = { mask: tf.Tensor2D };
type State = { prefix: tf.Tensor1D };
type Logits = (prefix: number) => number[];

/** The murmur3 finaliser, to hash a prefix into a 24-bit id (exact in a float32 tensor too). */
function mix(h: number, token: number): number {
  let x = Math.imul((h ^ (token + 0x9e3779b9)) >>> 0, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) & 0xffffff;
}

/** Logits in [-3, 3) drawn from the prefix id and a table seed. */
function randomLogits(seed: number): Logits {
  return (prefix) => Array.from({ length: VOCAB }, (_, v) => (mix(mix(prefix, seed), v) / 0x1000000) * 6 - 3);
}

/** A decodable whose step reads the prefix id from its state and asks `logits` for the scores. */
class PrefixToy implements Decodable<Enc, State> {
  readonly padId = 0;
  constructor(private readonly logits: Logits) {}

  encode(src: tf.Tensor2D): Enc {
    return { mask: tf.onesLike(src).toFloat() as tf.Tensor2D };
  }

  sourceMask(enc: Enc): tf.Tensor2D {
    return enc.mask;
  }

  initialState(enc: Enc): State {
    return { prefix: tf.zeros([enc.mask.shape[0]], 'int32') };
  }

  step(enc: Enc, prev: tf.Tensor1D, state: State): StepOutput<State> {
    const tokens = prev.dataSync();
    const next = Array.from(state.prefix.dataSync(), (h, i) => mix(h, tokens[i] ?? 0));
    return {
      logits: tf.tensor2d(next.map((h) => this.logits(h)), [next.length, VOCAB]),
      weights: tf.tidy(() => enc.mask.div(enc.mask.sum(1, true))) as tf.Tensor2D,
      state: { prefix: tf.tensor1d(next, 'int32') },
    };
  }
}

function logSoftmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const z = Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0)) + m;
  return xs.map((x) => x - z);
}

interface Ref { tokens: number[]; logProb: number; score: number }
type Penalty = { alpha: number; kind: 'gnmt' | 'simple' };

/** Every sequence the decoder can produce (ended by END, or cut at maxLen), best score first. */
function exhaustive(logits: Logits, p: Penalty): Ref {
  let best: Ref = { tokens: [], logProb: -Infinity, score: -Infinity };
  const visit = (prefix: number, prev: number, tokens: number[], logProb: number): void => {
    const h = mix(prefix, prev);
    logSoftmax(logits(h)).forEach((lp, v) => {
      const seq = [...tokens, v];
      const total = logProb + lp;
      if (v === END || seq.length === MAX_LEN) {
        const score = total / lengthPenalty(seq.length, p.alpha, p.kind);
        if (score > best.score) best = { tokens: seq, logProb: total, score };
      } else visit(h, v, seq, total);
    });
  };
  visit(0, START, [], 0);
  return best;
}

/**
 * The beam's own pruning (keep the k best live candidates by log-probability; keep a finished
 * one only when it ranks in the top k), but run to maxLen with no early stop at all.
 */
function beamToTheEnd(logits: Logits, k: number, p: Penalty): Ref {
  type Beam = { h: number; prev: number; tokens: number[]; logProb: number };
  let live: Beam[] = [{ h: 0, prev: START, tokens: [], logProb: 0 }];
  const done: Beam[] = [];
  for (let t = 0; t < MAX_LEN && live.length > 0; t++) {
    const cands = live.flatMap((b, j) => {
      const h = mix(b.h, b.prev);
      return logSoftmax(logits(h)).map((lp, v) => ({ j, v, beam: { h, prev: v, tokens: [...b.tokens, v], logProb: b.logProb + lp } }));
    });
    cands.sort((x, y) => y.beam.logProb - x.beam.logProb || x.j - y.j || x.v - y.v);
    const next: Beam[] = [];
    for (const [rank, c] of cands.entries()) {
      if (next.length === k) break;
      if (c.v !== END) next.push(c.beam);
      else if (rank < k) done.push(c.beam);
    }
    live = next;
  }
  const all = [...done, ...live].map((b) => ({ ...b, score: b.logProb / lengthPenalty(b.tokens.length, p.alpha, p.kind) }));
  all.sort((x, y) => y.score - x.score);
  return all[0] as Ref;
}

const OPTS = { maxLen: MAX_LEN, startToken: START, endToken: END };
const PENALTIES: Penalty[] = [{ alpha: 0, kind: 'gnmt' }, { alpha: 0.6, kind: 'gnmt' }, { alpha: 2, kind: 'gnmt' }, { alpha: 1, kind: 'simple' }];
const SEEDS = Array.from({ length: 30 }, (_, i) => i);

function decode(logits: Logits, k: number, p: Penalty): Ref {
  const [h] = beamSearch(new PrefixToy(logits), [[5]], { ...OPTS, beamWidth: k, lengthPenalty: p.alpha, lengthPenaltyKind: p.kind });
  return { tokens: h?.tokens ?? [], logProb: h?.logProb ?? NaN, score: h?.score ?? NaN };
}

beforeAll(async () => {
  await useBackend();
});

describe('beam search stops only when no live beam can win', () => {
  it('keeps a live beam that beats the k finished ones (k = 2)', () => {
    // start → A .4, end .35, B .25; A → C .99; B → end; C → end .99. After two steps end (.35)
    // and B end (.25) have finished, but the live A C (.396) goes on to A C end (.392).
    const A = 2, B = 3, C = 0;
    const first = [0, 0.35, 0.4, 0.25];
    const after: Record<number, number[]> = { [A]: [0.99, 0.01, 0, 0], [B]: [0, 1, 0, 0], [C]: [0, 0.99, 0.01, 0] };
    // The toy hands the step its prefix id; map each id back to the tokens generated so far.
    const generated = new Map<number, number[]>();
    const walk = (h: number, prev: number, tokens: number[]): void => {
      const id = mix(h, prev);
      generated.set(id, tokens);
      if (tokens.length < MAX_LEN) for (let v = 0; v < VOCAB; v++) walk(id, v, [...tokens, v]);
    };
    walk(0, START, []);
    // Distinct ids for distinct prefixes, or the map above would be ambiguous.
    expect(generated.size).toBe(1 + 4 + 16 + 64 + 256);
    const markov: Logits = (prefix) => {
      const tokens = generated.get(prefix) ?? [];
      const probs = tokens.length === 0 ? first : after[tokens.at(-1) ?? -1] ?? [0.25, 0.25, 0.25, 0.25];
      return probs.map((q) => (q > 0 ? Math.log(q) : -40));
    };
    const best = exhaustive(markov, PENALTIES[0]!);
    expect(best.tokens).toEqual([A, C, END]);
    const got = decode(markov, 2, PENALTIES[0]!);
    expect(got.tokens).toEqual([A, C, END]);
    expect(got.logProb).toBeCloseTo(Math.log(0.4 * 0.99 * 0.99), 5);
  });

  it('a beam wide enough to hold every prefix finds the exhaustive optimum', () => {
    for (const seed of SEEDS) {
      for (const p of PENALTIES) {
        const best = exhaustive(randomLogits(seed), p);
        const got = decode(randomLogits(seed), 128, p);
        expect({ seed, ...p, tokens: got.tokens }).toEqual({ seed, ...p, tokens: best.tokens });
        expect(got.score).toBeCloseTo(best.score, 5);
      }
    }
  });

  it('stopping early never changes the answer of the same beam run to maxLen', () => {
    let differsFromExhaustive = 0;
    for (const seed of SEEDS) {
      for (const p of PENALTIES) {
        for (const k of [2, 3]) {
          const ref = beamToTheEnd(randomLogits(seed), k, p);
          const got = decode(randomLogits(seed), k, p);
          expect({ seed, k, ...p, tokens: got.tokens }).toEqual({ seed, k, ...p, tokens: ref.tokens });
          if (got.tokens.join() !== exhaustive(randomLogits(seed), p).tokens.join()) differsFromExhaustive++;
        }
      }
    }
    // Not vacuous: narrow beams do prune the optimum sometimes, so the two references differ.
    expect(differsFromExhaustive).toBeGreaterThan(0);
  });

  it('beam width 1 equals greedy decoding', () => {
    for (const seed of SEEDS) {
      const toy = new PrefixToy(randomLogits(seed));
      const [g] = greedyDecode(toy, [[5]], OPTS);
      const [b] = beamSearch(toy, [[5]], { ...OPTS, beamWidth: 1 });
      expect(b?.tokens).toEqual(g?.tokens);
      expect(b?.logProb).toBe(g?.logProb);
    }
  });
});
