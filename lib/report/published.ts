/**
 * The numbers the paper compares against but does not measure: results published in the
 * literature and the targets the course (or the project's issue 12) sets. They are constants,
 * declared once here with the source they come from, and written to their own file
 * (`paper/generated/published.tex`, macros prefixed `pub` or `target`) so that they never mix with
 * the measured macros of `numbers.tex`, which `pipeline verify` checks against the metrics.
 */

/** Where a constant comes from. */
export type AnchorSource =
  /** A table of the cited paper(s). */
  | 'published'
  /** The course's brief, including numbers it quotes without a traceable publication. */
  | 'course'
  /** A target the project set itself (issue 12). */
  | 'target';

/** One constant: a value or a [low, high] range, in the units the paper prints. */
export interface Anchor {
  /** Macro name without the backslash, letters only; `pub…` for published, `target…` otherwise. */
  macro: string;
  /** What it is: the system and the metric, with its unit. */
  what: string;
  value: number | readonly [number, number];
  /** Decimals printed. */
  digits: number;
  /** Printed with ≈: the source's number is approximate or varies across its setups. */
  approx?: boolean;
  /** BibTeX keys: the method, then the paper the number is taken from when that differs. */
  cite: readonly string[];
  source: AnchorSource;
  /** The data and task of the number, where they differ from ours. */
  setting: string;
}

const CMUDICT = 'CMUdict, ≈107k training / 12k test words';
const MMNIST = 'Moving MNIST 64×64, 10 → 10 frames, OpenSTL benchmark';

/** Every constant the paper quotes. */
export const ANCHORS: readonly Anchor[] = [
  { macro: 'pubSequiturPer', what: 'Sequitur joint-sequence model, PER (%)', value: 5.88, digits: 2, cite: ['bisani2008'], source: 'published', setting: CMUDICT },
  { macro: 'pubSequiturWer', what: 'Sequitur joint-sequence model, WER (%)', value: 24.53, digits: 2, cite: ['bisani2008'], source: 'published', setting: CMUDICT },
  { macro: 'pubBiLstmPer', what: 'Bi-LSTM, PER (%)', value: 5.45, digits: 2, cite: ['yao2015'], source: 'published', setting: CMUDICT },
  { macro: 'pubBiLstmWer', what: 'Bi-LSTM, WER (%)', value: 23.55, digits: 2, cite: ['yao2015'], source: 'published', setting: CMUDICT },
  { macro: 'pubEnsemblePer', what: 'attention encoder-decoder ensemble, PER (%)', value: 4.69, digits: 2, cite: ['toshniwal2016'], source: 'published', setting: CMUDICT },
  { macro: 'pubEnsembleWer', what: 'attention encoder-decoder ensemble, WER (%)', value: 20.24, digits: 2, cite: ['toshniwal2016'], source: 'published', setting: CMUDICT },
  // The course brief quotes this without a reference we could trace: marked as the course's.
  { macro: 'pubSmallAttnWer', what: 'small 64-unit Bi-LSTM + Bahdanau attention, WER (%)', value: 34, digits: 0, approx: true, cite: [], source: 'course', setting: CMUDICT },
  { macro: 'pubConvLstmSse', what: 'ConvLSTM, per-frame summed squared error', value: [30, 46], digits: 0, approx: true, cite: ['shi2015', 'tan2023'], source: 'published', setting: MMNIST },
  { macro: 'pubPredRnnSse', what: 'PredRNN, per-frame summed squared error', value: 25, digits: 0, approx: true, cite: ['wang2017', 'tan2023'], source: 'published', setting: MMNIST },
  { macro: 'pubSimVpSse', what: 'SimVP v2, per-frame summed squared error', value: 15, digits: 0, approx: true, cite: ['tan2022simvp', 'tan2023'], source: 'published', setting: MMNIST },
  { macro: 'pubGeronBowAcc', what: 'bag-of-words logistic regression, accuracy (%)', value: 98.6, digits: 1, cite: ['geron2019'], source: 'published', setting: 'SpamAssassin, whole mails, its own split' },
  { macro: 'targetExOneAcc', what: 'exercise 1 test accuracy (%)', value: [85, 90], digits: 0, cite: [], source: 'course', setting: 'the course' },
  { macro: 'targetExTwoMae', what: 'exercise 2 test MAE (normalised)', value: [0.15, 0.2], digits: 2, cite: [], source: 'course', setting: 'the course' },
  { macro: 'targetExTwoSpan', what: 'exercise 2 attention span (steps)', value: [25, 30], digits: 0, cite: [], source: 'course', setting: 'the course' },
  { macro: 'targetExThreeMse', what: 'exercise 3 test MSE (per pixel, pixels in [0, 1])', value: [0.01, 0.02], digits: 2, cite: [], source: 'course', setting: 'the course' },
  { macro: 'targetExThreeMae', what: 'exercise 3 test MAE (per pixel)', value: [0.08, 0.12], digits: 2, cite: [], source: 'course', setting: 'the course' },
  { macro: 'targetGtpWer', what: 'G2P WER (%), upper bound', value: [0, 30], digits: 0, cite: [], source: 'target', setting: 'issue 12, full profile' },
  { macro: 'targetGtpPer', what: 'G2P PER (%), upper bound', value: [0, 8], digits: 0, cite: [], source: 'target', setting: 'issue 12, full profile' },
];

/** The anchor named `macro`; throws (a bug in the declarations) when there is none. */
export function anchor(macro: string): Anchor {
  const a = ANCHORS.find((x) => x.macro === macro);
  if (!a) throw new Error(`no published or target constant "${macro}" in lib/report/published.ts`);
  return a;
}

/**
 * How the paper prints an anchor: `5.88`, `$\approx$25`, `30--46`, and a range starting at 0 as an
 * upper bound (`$\le$30`).
 */
export function formatAnchor(a: Anchor): string {
  const n = (v: number): string => v.toFixed(a.digits);
  const approx = a.approx ? '$\\approx$' : '';
  if (typeof a.value === 'number') return `${approx}${n(a.value)}`;
  const [lo, hi] = a.value;
  return lo === 0 ? `$\\le$${n(hi)}` : `${approx}${n(lo)}--${n(hi)}`;
}

/** The text of `paper/generated/published.tex`: one `\newcommand` per anchor, with its source. */
export function publishedTex(anchors: readonly Anchor[] = ANCHORS): string {
  const lines = [
    '% Generated by the paper-numbers stage from lib/report/published.ts: constants from the literature',
    '% and the course, not measured here (the measured numbers are in numbers.tex). Do not edit.',
  ];
  for (const a of anchors) {
    if (!/^(pub|target)[A-Z][A-Za-z]*$/.test(a.macro)) throw new Error(`published constant "${a.macro}" must be letters only and start with pub or target`);
    if (a.source === 'published' && a.cite.length === 0) throw new Error(`published constant "${a.macro}" needs a citation key`);
    lines.push(`% ${a.what}; ${a.setting}; ${a.source}${a.cite.length > 0 ? ` (${a.cite.join(', ')})` : ''}`);
    lines.push(`\\newcommand{\\${a.macro}}{${formatAnchor(a)}}`);
  }
  return `${lines.join('\n')}\n`;
}
