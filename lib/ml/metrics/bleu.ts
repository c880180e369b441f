/**
 * Corpus and sentence BLEU (Papineni et al., 2002) that agree with sacreBLEU 2.x's defaults:
 * `13a` tokenisation, `exp` smoothing, n-grams up to 4, brevity penalty against the CLOSEST
 * reference length per sentence (ties go to the shorter one), n-gram counts clipped by the
 * maximum count over all references. Ported from `sacrebleu/metrics/bleu.py`.
 */
import { type BleuTokenizerName, getBleuTokenizer, pyRstrip, pySplit } from './tokenizers.ts';

/** Smoothing methods of Chen & Cherry (2014), as named by sacreBLEU. */
export type BleuSmoothMethod = 'none' | 'floor' | 'add-k' | 'exp';

/** Options shared by `corpusBleu`, `sentenceBleu` and `computeBleu`. */
export interface BleuOptions {
  /** Default `'exp'` (sacreBLEU's default; `sentenceBleu` uses it too). */
  smooth?: BleuSmoothMethod;
  /** Value for `floor` (default 0.1) and `add-k` (default 1); ignored otherwise. */
  smoothValue?: number;
  /** Default `'13a'`. */
  tokenize?: BleuTokenizerName;
  /** Lowercase hypotheses and references first. Default false. */
  lowercase?: boolean;
  /** Maximum n-gram order. Default 4. */
  maxNgramOrder?: number;
  /** Ignore n-gram orders that the hypotheses do not contain. Default false (true for `sentenceBleu`). */
  effectiveOrder?: boolean;
}

/** A BLEU result with its sufficient statistics, as sacreBLEU's `BLEUScore`. */
export interface BleuScore {
  /** BLEU on 0–100. */
  score: number;
  /** Clipped n-gram matches per order (1…maxNgramOrder). */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  /** Per-order precisions on 0–100 (after smoothing). */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  /** Total hypothesis length in tokens. */
  sysLen: number;
  /** Total effective reference length in tokens (closest reference per sentence). */
  refLen: number;
  /** sysLen / refLen (0 when refLen is 0). */
  ratio: number;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothMethod, number | undefined> = {
  none: undefined,
  floor: 0.1,
  'add-k': 1,
  exp: undefined,
};

/** sacreBLEU's `my_log`: log(0) is a large negative number rather than -Infinity. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/**
 * BLEU from sufficient statistics (sacreBLEU's `BLEU.compute_bleu`). `counts` and `totals` are
 * not modified. Exposed so that per-sentence statistics can be aggregated by the caller.
 */
export function computeBleu(
  counts: readonly number[],
  totals: readonly number[],
  sysLen: number,
  refLen: number,
  opts: BleuOptions = {},
): BleuScore {
  const method = opts.smooth ?? 'exp';
  const order = opts.maxNgramOrder ?? 4;
  const smoothValue = opts.smoothValue ?? SMOOTH_DEFAULTS[method] ?? 0;
  const correct = counts.slice(0, order);
  const total = totals.slice(0, order);
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(order).fill(0);
  const ratio = refLen ? sysLen / refLen : 0;
  const result = (score: number): BleuScore => ({
    score,
    counts: correct,
    totals: total,
    precisions,
    bp,
    sysLen,
    refLen,
    ratio,
  });
  // sacreBLEU #141: no match at any order is a score of 0 whatever the smoothing.
  if (!correct.some((c) => c !== 0)) return result(0);

  let smoothMteval = 1;
  let effOrder = order;
  for (let n = 1; n <= order; n++) {
    if (method === 'add-k' && n > 1) {
      correct[n - 1] = (correct[n - 1] ?? 0) + smoothValue;
      total[n - 1] = (total[n - 1] ?? 0) + smoothValue;
    }
    const t = total[n - 1] ?? 0;
    const c = correct[n - 1] ?? 0;
    if (t === 0) break;
    if (opts.effectiveOrder) effOrder = n;
    if (c === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * t);
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / t;
      }
    } else {
      precisions[n - 1] = (100 * c) / t;
    }
  }
  let sum = 0;
  for (let i = 0; i < effOrder; i++) sum += myLog(precisions[i] ?? 0);
  return result(bp * Math.exp(sum / effOrder));
}

/**
 * N-gram counts per order (index n-1), keyed by the tokens joined with a space: tokens come out
 * of a whitespace split, so they never contain one and keys cannot collide.
 */
function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number>[] {
  const byOrder: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    byOrder.push(counts);
  }
  return byOrder;
}

/** sacreBLEU's `_get_closest_ref_len`: the closest length, the shorter one on ties. */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let bestDiff = -1;
  let best = -1;
  for (const r of refLens) {
    const diff = Math.abs(hypLen - r);
    if (bestDiff === -1 || diff < bestDiff) {
      bestDiff = diff;
      best = r;
    } else if (diff === bestDiff && r < best) {
      best = r;
    }
  }
  return best;
}

/** Sufficient statistics of one sentence: `[hypLen, refLen, ...correct, ...total]`. */
function segmentStats(
  hyp: string,
  refs: readonly string[],
  order: number,
  preprocess: (s: string) => string,
): number[] {
  // clip by the maximum count of each n-gram over all references
  const refNgrams = Array.from({ length: order }, () => new Map<string, number>());
  const refLens: number[] = [];
  for (const ref of refs) {
    const tokens = pySplit(preprocess(ref));
    refLens.push(tokens.length);
    ngramCounts(tokens, order).forEach((counts, n) => {
      const merged = refNgrams[n]!;
      for (const [k, c] of counts) merged.set(k, Math.max(merged.get(k) ?? 0, c));
    });
  }
  const hypTokens = pySplit(preprocess(hyp));
  const correct = new Array<number>(order).fill(0);
  const total = new Array<number>(order).fill(0);
  ngramCounts(hypTokens, order).forEach((counts, n) => {
    for (const [k, c] of counts) {
      total[n] = (total[n] ?? 0) + c;
      const r = refNgrams[n]!.get(k);
      if (r !== undefined) correct[n] = (correct[n] ?? 0) + Math.min(c, r);
    }
  });
  return [hypTokens.length, closestRefLen(hypTokens.length, refLens), ...correct, ...total];
}

function makePreprocess(opts: BleuOptions): (s: string) => string {
  const tokenizer = getBleuTokenizer(opts.tokenize ?? '13a');
  const lowercase = opts.lowercase ?? false;
  return (s) => tokenizer(pyRstrip(lowercase ? s.toLowerCase() : s));
}

/**
 * Corpus BLEU as `sacrebleu.corpus_bleu(hypotheses, references)`.
 * `references[k][i]` is the k-th reference of sentence i; every stream must have one entry per
 * hypothesis. Empty references are ignored for that sentence (as sacreBLEU does, for corpora with
 * a varying number of references); a sentence without any non-empty reference throws.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  opts: BleuOptions = {},
): BleuScore {
  const order = opts.maxNgramOrder ?? 4;
  if (references.length === 0) throw new Error('corpusBleu: at least one reference stream is required');
  for (const stream of references) {
    if (stream.length !== hypotheses.length) {
      throw new Error(
        `corpusBleu: a reference stream has ${stream.length} sentences but there are ${hypotheses.length} hypotheses`,
      );
    }
  }
  const preprocess = makePreprocess(opts);
  const sums = new Array<number>(2 + 2 * order).fill(0);
  hypotheses.forEach((hyp, i) => {
    const refs = references.map((s) => s[i] ?? '').filter((r) => r !== '');
    if (refs.length === 0) throw new Error(`corpusBleu: sentence ${i} has no non-empty reference`);
    segmentStats(hyp, refs, order, preprocess).forEach((v, j) => (sums[j] = (sums[j] ?? 0) + v));
  });
  return computeBleu(sums.slice(2, 2 + order), sums.slice(2 + order), sums[0] ?? 0, sums[1] ?? 0, opts);
}

/**
 * Sentence BLEU as `sacrebleu.metrics.BLEU(effective_order=True).sentence_score(hyp, refs)`:
 * `exp` smoothing and effective order unless overridden.
 */
export function sentenceBleu(hypothesis: string, references: readonly string[], opts: BleuOptions = {}): BleuScore {
  return corpusBleu(
    [hypothesis],
    references.map((r) => [r]),
    { effectiveOrder: true, ...opts },
  );
}
