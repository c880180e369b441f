/**
 * Classification metrics over plain arrays of integer class ids. Undefined ratios (a class never
 * predicted, never present) are 0, as scikit-learn's `zero_division=0`, so that a metric file never
 * holds NaN.
 */

/** Anything indexable holding class ids: `number[]`, `Int32Array`… */
export type Labels = ArrayLike<number>;

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

/** Fraction of positions where `predicted[i] === actual[i]`; 0 for empty input. */
export function accuracy(actual: Labels, predicted: Labels): number {
  checkSameLength(actual, predicted, 'accuracy');
  if (actual.length === 0) return 0;
  let hits = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) hits++;
  return hits / actual.length;
}

/** Class-index of the largest value in each row of a flat `rows × numClasses` score array. */
export function argmaxRows(scores: ArrayLike<number>, numClasses: number): Int32Array {
  if (numClasses <= 0 || scores.length % numClasses !== 0) {
    throw new Error(`argmaxRows: ${scores.length} values do not form rows of ${numClasses}`);
  }
  const out = new Int32Array(scores.length / numClasses);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < numClasses; c++) {
      const v = scores[r * numClasses + c] ?? -Infinity;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * Confusion matrix `m[actual][predicted]` (rows are true classes, as scikit-learn).
 * `numClasses` defaults to 1 + the largest id seen; ids outside `[0, numClasses)` throw.
 */
export function confusionMatrix(actual: Labels, predicted: Labels, numClasses?: number): number[][] {
  checkSameLength(actual, predicted, 'confusionMatrix');
  let k = numClasses ?? 0;
  if (numClasses === undefined) {
    for (let i = 0; i < actual.length; i++) k = Math.max(k, (actual[i] ?? 0) + 1, (predicted[i] ?? 0) + 1);
  }
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? -1;
    const p = predicted[i] ?? -1;
    const row = m[a];
    if (!Number.isInteger(a) || !Number.isInteger(p) || row === undefined || p < 0 || p >= k) {
      throw new Error(`confusionMatrix: label pair (${a}, ${p}) at ${i} is outside 0..${k - 1}`);
    }
    row[p] = (row[p] ?? 0) + 1;
  }
  return m;
}

/** Precision, recall and F1 of one class (or of an average). */
export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** Per-class scores with their support, plus macro and micro averages. */
export interface ClassificationReport {
  /** One entry per class id 0…k-1. */
  perClass: (PrecisionRecallF1 & { support: number })[];
  /** Unweighted mean over classes of precision, recall and F1 (F1 is the mean of per-class F1s). */
  macro: PrecisionRecallF1;
  /** From pooled counts; for single-label data all three equal accuracy. */
  micro: PrecisionRecallF1;
  /** Mean over classes weighted by support. */
  weighted: PrecisionRecallF1;
  accuracy: number;
  confusion: number[][];
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/** Precision/recall/F1 per class and averaged, from a confusion matrix `m[actual][predicted]`. */
export function reportFromConfusion(m: readonly (readonly number[])[]): ClassificationReport {
  const k = m.length;
  const perClass: ClassificationReport['perClass'] = [];
  let tpSum = 0;
  let fpSum = 0;
  let fnSum = 0;
  let total = 0;
  for (let c = 0; c < k; c++) {
    const tp = m[c]?.[c] ?? 0;
    let predictedC = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predictedC += m[j]?.[c] ?? 0;
      support += m[c]?.[j] ?? 0;
    }
    const precision = ratio(tp, predictedC);
    const recall = ratio(tp, support);
    perClass.push({ precision, recall, f1: f1Of(precision, recall), support });
    tpSum += tp;
    fpSum += predictedC - tp;
    fnSum += support - tp;
    total += support;
  }
  const mean = (key: keyof PrecisionRecallF1, weighted: boolean): number => {
    if (k === 0) return 0;
    let s = 0;
    for (const c of perClass) s += c[key] * (weighted ? c.support : 1);
    return weighted ? ratio(s, total) : s / k;
  };
  const microP = ratio(tpSum, tpSum + fpSum);
  const microR = ratio(tpSum, tpSum + fnSum);
  return {
    perClass,
    macro: { precision: mean('precision', false), recall: mean('recall', false), f1: mean('f1', false) },
    micro: { precision: microP, recall: microR, f1: f1Of(microP, microR) },
    weighted: { precision: mean('precision', true), recall: mean('recall', true), f1: mean('f1', true) },
    accuracy: ratio(tpSum, total),
    confusion: m.map((row) => [...row]),
  };
}

/** Precision/recall/F1 per class and averaged (see `ClassificationReport`). */
export function classificationReport(actual: Labels, predicted: Labels, numClasses?: number): ClassificationReport {
  return reportFromConfusion(confusionMatrix(actual, predicted, numClasses));
}
