/**
 * Every number the paper states, declared once: the macro, where the value comes from, how it
 * is printed, and how far the printed value may drift from the current metric before
 * `pipeline verify` fails. `paper/generated/numbers.tex` is generated from this table and
 * `verify` re-derives it, so the text can only quote what the pipeline measured. Constants from
 * the literature and the course are not here: they live in `published.ts`.
 *
 * A tolerance of 0 means "the printed value equals the current metric printed the same way";
 * a positive tolerance is in printed units (e.g. percentage points for `scale: 100`).
 */

/** A value in a metrics file: the file (relative to the root) and a dotted path into it. */
export interface Source {
  file: string;
  /** `test_accuracy`, `scaled.-1.entropy` (last element), `backend.name`. */
  path: string;
}

interface DeclBase extends Source {
  /** TeX macro name without the backslash; letters only (`exOneAcc`). */
  macro: string;
  /** Multiplies the value before printing or comparing (100 for a percentage). */
  scale?: number;
  /** Decimals printed (default 3). */
  digits?: number;
  /** What it is, for the generated file's comments and verify's messages. */
  what: string;
  /**
   * Set while the key is produced by work not merged yet (the reason, e.g. "exercise 3 as frame
   * prediction"): until then a missing key prints n/a with a warning. Without it a missing
   * key is an error naming the file and the key.
   */
  pending?: string;
}

/** A number (`digits` decimals after `scale`) or a short text copied verbatim. */
export interface ValueDecl extends DeclBase {
  kind?: 'number' | 'text';
  /** Allowed |printed − current| in printed units (default 0: exact). */
  tolerance?: number;
}

/** `file/path − minus`, scaled, printed with its sign (`+1.2`, `-0.4`). */
export interface DeltaDecl extends DeclBase {
  kind: 'delta';
  minus: Source;
}

/**
 * A word computed from a comparison, for sentences that must not claim more than was measured:
 * against another measured value or a single published constant, `words.better` when the value
 * is strictly better in the `better` direction, else `words.worse`; against a [low, high] range
 * constant, `words.below`/`within`/`above`.
 */
export interface VerdictDecl extends DeclBase {
  kind: 'verdict';
  against: Source | { anchor: string };
  better?: 'min' | 'max';
  words: { better: string; worse: string } | { below: string; within: string; above: string };
}

/** One macro of numbers.tex. */
export type NumberDecl = ValueDecl | DeltaDecl | VerdictDecl;

const ex1 = 'reports/ex1/metrics.json';
const ex2 = 'reports/ex2/metrics.json';
const theory = 'reports/theory/scaling.json';
const sweep = 'reports/sweep-best/metrics.json';
const ex3 = (variant: string): string => `reports/ex3-${variant}/metrics.json`;
// The translation model the paper quotes: the best attention (translate.bestAttention) with the Bi-LSTM.
const dates = 'reports/translate-encoder/lstm/metrics.json';
const g2p = 'reports/g2p/metrics.json';
const spam = (member: string): string => `reports/spam/${member}/metrics.json`;


/** `multi-head` → `MultiHead`: matrix member names inside macro names (letters only). */
export function macroPart(name: string): string {
  return name.split(/[^A-Za-z]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** Exercise 3's models in the order of the ablation table. */
export const EX3_MODELS = ['full', 'no-memory', 'no-transformer', 'no-hierarchy', 'baseline'] as const;
/** Translation members: attentions with the Bi-LSTM encoder, then encoders with the best attention. */
export const TRANSLATE_ATTENTIONS = ['none', 'dot', 'general', 'concat', 'additive', 'coverage', 'multi-head'] as const;
export const TRANSLATE_ENCODERS = ['lstm', 'conv', 'transformer'] as const;
/** Spam cells (`spam.cells`) × padding masks; `bow-logistic-masked` is the baseline every cell is held against. */
export const SPAM_CELLS = ['bow-logistic', 'simple-rnn', 'lstm', 'lstm-attention'] as const;
export const SPAM_MASKS = ['masked', 'unmasked'] as const;
export const SPAM_BASELINE = 'bow-logistic-masked';

const lowers = { better: 'lowers', worse: 'does not lower' } as const;

const ex3Numbers = (v: string): NumberDecl[] => {
  const m = `exThree${macroPart(v)}`;
  return [
    { macro: `${m}Mse`, file: ex3(v), path: 'test_mse', digits: 4, what: `exercise 3 ${v}: test MSE per pixel` },
    { macro: `${m}LateMse`, file: ex3(v), path: 'test_mse_late', digits: 4, what: `exercise 3 ${v}: test MSE of the late frames` },
    { macro: `${m}Sse`, file: ex3(v), path: 'test_frame_sse_mean', digits: 1, what: `exercise 3 ${v}: squared error summed over a frame's pixels, mean over the predicted frames` },
    { macro: `${m}Params`, file: ex3(v), path: 'parameters', digits: 0, what: `exercise 3 ${v}: parameters` },
    // What removing the module does to the full model's error: the ablation's answer, as a word.
    ...(v.startsWith('no-') ? [
      { macro: `${m}VsFull`, kind: 'verdict', file: ex3(v), path: 'test_mse', against: { file: ex3('full'), path: 'test_mse' }, better: 'min', words: lowers, what: `exercise 3 ${v} against the full model, test MSE` },
      { macro: `${m}LateVsFull`, kind: 'verdict', file: ex3(v), path: 'test_mse_late', against: { file: ex3('full'), path: 'test_mse_late' }, better: 'min', words: lowers, what: `exercise 3 ${v} against the full model, late frames` },
    ] satisfies NumberDecl[] : []),
  ];
};

const translateNumbers = (dir: 'translate' | 'translate-encoder', member: string): NumberDecl[] => {
  const m = `tr${dir === 'translate' ? '' : 'Enc'}${macroPart(member)}`;
  const file = `reports/${dir}/${member}/metrics.json`;
  return [
    { macro: `${m}Em`, file, path: 'test_exact_match', scale: 100, digits: 1, what: `dates ${dir}/${member}: exact match, greedy (%)` },
    { macro: `${m}BeamEm`, file, path: 'beam_exact_match', scale: 100, digits: 1, what: `dates ${dir}/${member}: exact match, beam search (%)` },
  ];
};

const spamNumbers = (member: string): NumberDecl[] => {
  const m = `spam${macroPart(member)}`;
  const acc: NumberDecl = { macro: `${m}Acc`, file: spam(member), path: 'test_accuracy', scale: 100, digits: 1, what: `spam ${member}: test accuracy (%)` };
  const f1: NumberDecl = { macro: `${m}FOne`, file: spam(member), path: 'test_f1', digits: 3, what: `spam ${member}: spam F1` };
  if (member === SPAM_BASELINE) return [acc, f1];
  return [acc, f1, { macro: `${m}DeltaAcc`, kind: 'delta', file: spam(member), path: 'test_accuracy', minus: { file: spam(SPAM_BASELINE), path: 'test_accuracy' }, scale: 100, digits: 1, what: `spam ${member}: accuracy minus the bag-of-words baseline's (points)` }];
};

const beats = { better: 'beats', worse: 'does not beat' } as const;
const range = { below: 'below', within: 'within', above: 'above' } as const;
const bound = { below: 'meets', within: 'meets', above: 'misses' } as const;

/** The paper's numbers, in the order they are written. */
export const PAPER_NUMBERS: readonly NumberDecl[] = [
  { macro: 'exOneAcc', file: ex1, path: 'test_accuracy', scale: 100, digits: 1, what: 'exercise 1 test accuracy (%)' },
  { macro: 'exOneTarget', kind: 'verdict', file: ex1, path: 'test_accuracy', scale: 100, against: { anchor: 'targetExOneAcc' }, words: range, what: "exercise 1 accuracy against the course's range" },
  { macro: 'exOneCeiling', file: ex1, path: 'test_ceiling', scale: 100, digits: 1, what: 'exercise 1 test split accuracy ceiling (%): patternless sequences can only be guessed' },
  { macro: 'exOneFOne', file: ex1, path: 'macro_f1', digits: 3, what: 'exercise 1 macro F1' },
  { macro: 'exOneSpan', file: ex1, path: 'attention_span', digits: 1, what: 'exercise 1 attention span (steps with weight > 0.05)' },
  { macro: 'exOnePos', file: ex1, path: 'avg_attention_position', digits: 1, what: 'exercise 1 mean attended step' },
  { macro: 'exOneParams', file: ex1, path: 'parameters', digits: 0, what: 'exercise 1 trainable parameters' },
  { macro: 'exOneTestN', file: ex1, path: 'test_samples', digits: 0, what: 'exercise 1 test sequences' },
  { macro: 'exOneBestEpoch', file: ex1, path: 'best_epoch', digits: 0, what: 'exercise 1 best epoch' },
  { macro: 'exOneEpochs', file: ex1, path: 'epochs', digits: 0, what: 'exercise 1 epochs' },
  { macro: 'exTwoMse', file: ex2, path: 'test_mse', digits: 4, what: 'exercise 2 test MSE (normalised)' },
  { macro: 'exTwoMae', file: ex2, path: 'test_mae', digits: 3, what: 'exercise 2 test MAE (normalised)' },
  { macro: 'exTwoTarget', kind: 'verdict', file: ex2, path: 'test_mae', against: { anchor: 'targetExTwoMae' }, words: range, what: "exercise 2 MAE against the course's range" },
  { macro: 'exTwoLastMse', file: ex2, path: 'baseline_last_mse', digits: 3, what: 'exercise 2 baseline repeating the last value, test MSE' },
  { macro: 'exTwoLinearMse', file: ex2, path: 'baseline_linear_mse', digits: 3, what: 'exercise 2 linear-extrapolation baseline, test MSE' },
  { macro: 'exTwoVsLast', kind: 'verdict', file: ex2, path: 'test_mse', against: { file: ex2, path: 'baseline_last_mse' }, better: 'min', words: beats, what: 'exercise 2 model against repeating the last value' },
  { macro: 'exTwoVsLinear', kind: 'verdict', file: ex2, path: 'test_mse', against: { file: ex2, path: 'baseline_linear_mse' }, better: 'min', words: beats, what: 'exercise 2 model against linear extrapolation' },
  { macro: 'exTwoNoiseFloor', file: ex2, path: 'noise_floor_mse', digits: 4, what: 'exercise 2 noise floor of the test MSE (normalised)' },
  { macro: 'exTwoSpan', file: ex2, path: 'attention_mass_span', digits: 1, what: 'exercise 2 attention mass span (fewest steps holding 90% of the weight)' },
  { macro: 'exTwoSpanTarget', kind: 'verdict', file: ex2, path: 'attention_mass_span', against: { anchor: 'targetExTwoSpan' }, words: range, what: "exercise 2 attention span against the course's range" },
  { macro: 'exTwoPos', file: ex2, path: 'avg_attention_position', digits: 1, what: 'exercise 2 mean attended input step' },
  { macro: 'exTwoEntropy', file: ex2, path: 'attention_entropy', digits: 2, what: 'exercise 2 mean attention entropy (nats)' },
  { macro: 'exTwoParams', file: ex2, path: 'parameters', digits: 0, what: 'exercise 2 trainable parameters' },
  { macro: 'exTwoHorizon', file: ex2, path: 'horizon', digits: 0, what: 'exercise 2 forecast horizon' },
  { macro: 'exTwoInputSteps', file: ex2, path: 'input_steps', digits: 0, what: 'exercise 2 input steps' },
  { macro: 'theoryMaxDim', file: theory, path: 'dims.-1', digits: 0, what: 'largest d_k of the theory stage' },
  { macro: 'theoryMinDim', file: theory, path: 'dims.0', digits: 0, what: 'smallest d_k of the theory stage' },
  { macro: 'theoryEntScaled', file: theory, path: 'scaled.-1.entropy', digits: 2, what: 'softmax entropy at the largest d_k, scaled' },
  { macro: 'theoryEntUnscaled', file: theory, path: 'unscaled.-1.entropy', digits: 2, what: 'softmax entropy at the largest d_k, unscaled' },
  { macro: 'theoryMaxEnt', file: theory, path: 'max_entropy', digits: 2, what: 'entropy of uniform attention (ln keys)' },
  { macro: 'theoryMaxWScaled', file: theory, path: 'scaled.-1.max_weight', digits: 2, what: 'max weight at the largest d_k, scaled' },
  { macro: 'theoryMaxWUnscaled', file: theory, path: 'unscaled.-1.max_weight', digits: 2, what: 'max weight at the largest d_k, unscaled' },
  { macro: 'sweepBestAcc', file: sweep, path: 'test_accuracy', scale: 100, digits: 1, what: 'best sweep member test accuracy (%)' },
  { macro: 'sweepBestValAcc', file: sweep, path: 'val_accuracy', scale: 100, digits: 1, what: 'best sweep member validation accuracy (%)' },
  { macro: 'sweepBestLr', file: sweep, path: 'hyperparameters.lr', digits: 3, what: 'best sweep member learning rate' },
  { macro: 'sweepBestUnits', file: sweep, path: 'hyperparameters.units', digits: 0, what: 'best sweep member GRU units' },
  ...EX3_MODELS.flatMap(ex3Numbers),
  { macro: 'exThreeFrames', file: ex3('full'), path: 'frames', digits: 0, what: 'exercise 3 frames per clip' },
  { macro: 'exThreeSize', file: ex3('full'), path: 'size', digits: 0, what: 'exercise 3 frame side (pixels)' },
  { macro: 'exThreeMae', file: ex3('full'), path: 'test_mae', digits: 3, what: 'exercise 3 improved model test MAE' },
  { macro: 'exThreeBaselineMae', file: ex3('baseline'), path: 'test_mae', digits: 3, what: 'exercise 3 baseline test MAE' },
  { macro: 'exThreeFirstMse', file: ex3('full'), path: 'test_mse_per_frame.0', digits: 4, what: 'exercise 3 improved model, MSE of the first predicted frame' },
  { macro: 'exThreeLastMse', file: ex3('full'), path: 'test_mse_per_frame.-1', digits: 4, what: 'exercise 3 improved model, MSE of the last predicted frame' },
  { macro: 'exThreeTarget', kind: 'verdict', file: ex3('full'), path: 'test_mse', against: { anchor: 'targetExThreeMse' }, words: range, what: "exercise 3 improved model's MSE against the course's range" },
  { macro: 'exThreeBaselineTarget', kind: 'verdict', file: ex3('baseline'), path: 'test_mse', against: { anchor: 'targetExThreeMse' }, words: range, what: "exercise 3 baseline's MSE against the course's range" },
  { macro: 'exThreeVsBaseline', kind: 'verdict', file: ex3('full'), path: 'test_mse', against: { file: ex3('baseline'), path: 'test_mse' }, better: 'min', words: beats, what: 'exercise 3 improved model against the baseline, test MSE' },
  { macro: 'exThreeLateVsBaseline', kind: 'verdict', file: ex3('full'), path: 'test_mse_late', against: { file: ex3('baseline'), path: 'test_mse_late' }, better: 'min', words: beats, what: 'exercise 3 improved model against the baseline, late frames' },
  ...TRANSLATE_ATTENTIONS.flatMap((a) => translateNumbers('translate', a)),
  ...TRANSLATE_ENCODERS.flatMap((e) => translateNumbers('translate-encoder', e)),
  { macro: 'datesAttention', file: dates, path: 'attention', kind: 'text', what: 'attention of the quoted date translator' },
  { macro: 'datesBeamWidth', file: dates, path: 'beam_width', digits: 0, what: 'beam width' },
  { macro: 'datesBleu', file: dates, path: 'test_bleu', digits: 1, what: 'dates BLEU (0-100), greedy' },
  { macro: 'gtpPer', file: g2p, path: 'test_per', scale: 100, digits: 1, what: 'g2p phoneme error rate (%)' },
  { macro: 'gtpWer', file: g2p, path: 'test_wer', scale: 100, digits: 1, what: 'g2p word error rate (%)' },
  { macro: 'gtpTrainWords', file: g2p, path: 'train_words', digits: 0, what: 'g2p training words' },
  { macro: 'gtpTestWords', file: g2p, path: 'test_words', digits: 0, what: 'g2p test words' },
  { macro: 'gtpWerTarget', kind: 'verdict', file: g2p, path: 'test_wer', scale: 100, against: { anchor: 'targetGtpWer' }, words: bound, what: 'g2p WER against the target' },
  { macro: 'gtpPerTarget', kind: 'verdict', file: g2p, path: 'test_per', scale: 100, against: { anchor: 'targetGtpPer' }, words: bound, what: 'g2p PER against the target' },
  { macro: 'gtpVsSequitur', kind: 'verdict', file: g2p, path: 'test_wer', scale: 100, against: { anchor: 'pubSequiturWer' }, better: 'min', words: beats, what: 'g2p WER against Sequitur' },
  ...SPAM_CELLS.flatMap((c) => SPAM_MASKS.flatMap((m) => spamNumbers(`${c}-${m}`))),
  { macro: 'spamAttVsBow', kind: 'verdict', file: spam('lstm-attention-masked'), path: 'test_accuracy', against: { file: spam(SPAM_BASELINE), path: 'test_accuracy' }, better: 'max', words: beats, what: 'spam LSTM + attention against the bag-of-words baseline' },
  { macro: 'spamBowVsGeron', kind: 'verdict', file: spam(SPAM_BASELINE), path: 'test_accuracy', scale: 100, against: { anchor: 'pubGeronBowAcc' }, better: 'max', words: beats, what: "our bag-of-words baseline against Géron's" },
  { macro: 'spamFrac', file: spam('lstm-attention-masked'), path: 'test_spam_fraction', scale: 100, digits: 1, what: 'share of spam in the test split (%)' },
  { macro: 'backendName', file: ex1, path: 'backend.name', kind: 'text', what: 'TensorFlow.js backend of the runs' },
];
