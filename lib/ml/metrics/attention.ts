/**
 * Statistics of an attention matrix, rows = output (decoder) steps, columns = source steps, each
 * row a distribution. They summarise how focused and how monotonic the alignment is.
 */

/** An attention matrix: rows of weights, or a flat row-major array with its column count. */
export type AttentionMatrix = readonly ArrayLike<number>[] | { data: ArrayLike<number>; cols: number };

function rowsOf(att: AttentionMatrix): ArrayLike<number>[] {
  if (Array.isArray(att)) return att as ArrayLike<number>[];
  const { data, cols } = att as { data: ArrayLike<number>; cols: number };
  if (cols <= 0 || data.length % cols !== 0) throw new Error(`attention: ${data.length} values are not rows of ${cols}`);
  const rows: ArrayLike<number>[] = [];
  for (let r = 0; r < data.length / cols; r++) {
    rows.push(Array.prototype.slice.call(data, r * cols, (r + 1) * cols) as number[]);
  }
  return rows;
}

function meanOverRows(att: AttentionMatrix, f: (row: ArrayLike<number>) => number): number {
  const rows = rowsOf(att);
  if (rows.length === 0) return 0;
  let s = 0;
  for (const row of rows) s += f(row);
  return s / rows.length;
}

/** Default weight above which a source step counts as attended. */
export const ATTENTION_SPAN_THRESHOLD = 0.05;

/** Number of source steps with weight strictly above `threshold`, averaged over rows. */
export function attentionSpan(att: AttentionMatrix, threshold = ATTENTION_SPAN_THRESHOLD): number {
  return meanOverRows(att, (row) => {
    let n = 0;
    for (let j = 0; j < row.length; j++) if ((row[j] ?? 0) > threshold) n++;
    return n;
  });
}

/** Default share of a row's weight that {@link attentionMassSpan} must cover. */
export const ATTENTION_MASS = 0.9;

/**
 * Fewest source steps whose weights together hold at least `mass` of the row's total (largest
 * weights first), averaged over rows; rows summing to 0 count 0. Unlike {@link attentionSpan} it
 * does not depend on the row length's 1/cols: a uniform row over 50 steps spans 45 (mass 0.9),
 * where the 0.05 threshold counts 0 of its 0.02-weights.
 */
export function attentionMassSpan(att: AttentionMatrix, mass = ATTENTION_MASS): number {
  if (!(mass > 0 && mass <= 1)) throw new RangeError(`attention mass must be in (0, 1], got ${mass}`);
  return meanOverRows(att, (row) => {
    const w = Array.from(row, (v) => v ?? 0).sort((a, b) => b - a);
    const total = w.reduce((a, b) => a + b, 0);
    if (total <= 0) return 0;
    let held = 0;
    for (let k = 0; k < w.length; k++) {
      held += w[k]!;
      // Relative tolerance: float sums of a uniform row fall a hair short of the exact share.
      if (held >= mass * total * (1 - 1e-9)) return k + 1;
    }
    return w.length;
  });
}

/** Source index of each row's largest weight (the first on ties, 0-based), averaged over rows. */
export function attentionPeakPosition(att: AttentionMatrix): number {
  return meanOverRows(att, (row) => {
    let at = 0;
    for (let j = 1; j < row.length; j++) if ((row[j] ?? 0) > (row[at] ?? 0)) at = j;
    return at;
  });
}

/** Weighted mean source index per row (Σ j·w_j / Σ w_j, 0-based), averaged over rows; rows summing to 0 count 0. */
export function meanAttendedPosition(att: AttentionMatrix): number {
  return meanOverRows(att, (row) => {
    let s = 0;
    let w = 0;
    for (let j = 0; j < row.length; j++) {
      s += j * (row[j] ?? 0);
      w += row[j] ?? 0;
    }
    return w === 0 ? 0 : s / w;
  });
}

/** Per-row weighted mean source index (see `meanAttendedPosition`), e.g. to plot the alignment path. */
export function attendedPositions(att: AttentionMatrix): number[] {
  return rowsOf(att).map((row) => meanAttendedPosition([row]));
}

/**
 * Shannon entropy in nats of each row (renormalised to sum 1; 0·log 0 = 0), averaged over rows.
 * 0 for one-hot rows, log(cols) for uniform ones.
 */
export function attentionEntropy(att: AttentionMatrix): number {
  return meanOverRows(att, (row) => {
    let total = 0;
    for (let j = 0; j < row.length; j++) total += row[j] ?? 0;
    if (total <= 0) return 0;
    let h = 0;
    for (let j = 0; j < row.length; j++) {
      const p = (row[j] ?? 0) / total;
      if (p > 0) h -= p * Math.log(p);
    }
    return h;
  });
}

/** The attention statistics together. */
export interface AttentionStats {
  span: number;
  /** {@link attentionMassSpan} at {@link ATTENTION_MASS}. */
  massSpan: number;
  meanPosition: number;
  peakPosition: number;
  entropy: number;
}

/** Every statistic above of one matrix. */
export function attentionStats(att: AttentionMatrix, threshold = ATTENTION_SPAN_THRESHOLD): AttentionStats {
  return {
    span: attentionSpan(att, threshold),
    massSpan: attentionMassSpan(att),
    meanPosition: meanAttendedPosition(att),
    peakPosition: attentionPeakPosition(att),
    entropy: attentionEntropy(att),
  };
}
