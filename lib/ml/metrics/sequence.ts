/** Sequence-level metrics: exact match, Levenshtein distance and character/phoneme error rates. */

/** A sequence of comparable tokens: a string (compared per UTF-16 unit), token ids or token strings. */
export type TokenSeq = string | ArrayLike<number> | ArrayLike<string>;

function eq(a: TokenSeq, i: number, b: TokenSeq, j: number): boolean {
  return a[i] === b[j];
}

/**
 * Levenshtein distance (unit-cost insertions, deletions, substitutions) between two token
 * sequences, in O(|a|·|b|) time and O(|b|) memory.
 */
export function editDistance(a: TokenSeq, b: TokenSeq): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev = new Uint32Array(m + 1);
  let cur = new Uint32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const sub = prev[j - 1]! + (eq(a, i - 1, b, j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]!;
}

/**
 * Error rate over a corpus: total edits divided by total reference length (so long references
 * weigh more, as in ASR's WER/CER). When all references are empty the ratio is undefined and the
 * raw edit count is returned instead (0 if the hypotheses are empty too).
 */
export function errorRate(references: readonly TokenSeq[], hypotheses: readonly TokenSeq[]): number {
  if (references.length !== hypotheses.length) {
    throw new Error(`errorRate: ${references.length} references vs ${hypotheses.length} hypotheses`);
  }
  let edits = 0;
  let refLen = 0;
  references.forEach((ref, i) => {
    edits += editDistance(ref, hypotheses[i] ?? []);
    refLen += ref.length;
  });
  return refLen === 0 ? edits : edits / refLen;
}

/** Character error rate over strings (characters = UTF-16 code units). Alias of `errorRate`. */
export const characterErrorRate = errorRate;

/** Phoneme error rate over phoneme-token sequences (e.g. ARPAbet arrays). Alias of `errorRate`. */
export const phonemeErrorRate = errorRate;

/** True when two sequences have the same length and equal tokens. */
export function sequencesEqual(a: TokenSeq, b: TokenSeq): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!eq(a, i, b, i)) return false;
  return true;
}

/** Fraction of hypotheses identical to their reference; 0 for empty input. */
export function exactMatch(references: readonly TokenSeq[], hypotheses: readonly TokenSeq[]): number {
  if (references.length !== hypotheses.length) {
    throw new Error(`exactMatch: ${references.length} references vs ${hypotheses.length} hypotheses`);
  }
  if (references.length === 0) return 0;
  let hits = 0;
  references.forEach((ref, i) => {
    if (sequencesEqual(ref, hypotheses[i] ?? [])) hits++;
  });
  return hits / references.length;
}

/** Word error rate and phoneme error rate of {@link multiReferenceRates} (fractions). */
export interface MultiReferenceRates {
  /** Fraction of items whose hypothesis equals none of its references. */
  wer: number;
  /** Σ edit distance to the closest reference / Σ length of that reference. */
  per: number;
}

/**
 * Error rates against several references per item, as the G2P literature scores CMUdict's
 * alternate pronunciations (Bisani & Ney 2008; Yao & Zweig 2015): an item is right when the
 * hypothesis matches ANY reference; its edits are the distance to the closest reference, and the
 * denominator adds that same reference's length (on a tie, the first closest reference in the
 * given order). Every item needs at least one reference.
 */
export function multiReferenceRates(references: readonly (readonly TokenSeq[])[], hypotheses: readonly TokenSeq[]): MultiReferenceRates {
  if (references.length !== hypotheses.length) {
    throw new Error(`multiReferenceRates: ${references.length} reference lists vs ${hypotheses.length} hypotheses`);
  }
  let wrong = 0;
  let edits = 0;
  let refLen = 0;
  references.forEach((refs, i) => {
    if (refs.length === 0) throw new Error(`multiReferenceRates: item ${i} has no reference`);
    const hyp = hypotheses[i]!;
    let best = Infinity;
    let bestLen = 0;
    for (const ref of refs) {
      const d = editDistance(ref, hyp);
      if (d < best) [best, bestLen] = [d, ref.length];
    }
    if (best > 0) wrong++;
    edits += best;
    refLen += bestLen;
  });
  const n = references.length;
  return { wer: n === 0 ? 0 : wrong / n, per: refLen === 0 ? edits : edits / refLen };
}
