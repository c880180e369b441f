/**
 * "Did you mean …?" suggestions for misspelt keys, params, profiles and targets.
 */

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, so `rnu` → `run`
 * is one edit, as typing slips usually are), with an early exit once a row exceeds `max`.
 */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Three rows: a transposition looks two rows back.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

/**
 * The candidate closest to `word`, or `undefined` when none is close enough.
 *
 * Case differences are cheap (`Epochs` → `epochs`), and the allowed distance grows with the
 * word: one edit up to 4 characters, two up to 8, then a third of the length — so short words
 * do not "match" unrelated short names. Ties go to the first candidate, i.e. definition order.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const max = word.length <= 4 ? 1 : word.length <= 8 ? 2 : Math.floor(word.length / 3);
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(lower, c.toLowerCase(), max);
    // A candidate that extends the word (`ex1` → `ex1.units`) is a plausible intent too.
    const score = d <= max ? d : c.startsWith(word) && word.length >= 3 ? max : Infinity;
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
