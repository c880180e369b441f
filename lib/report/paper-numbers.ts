/**
 * Every number the paper states, declared once: the macro, where the value comes from, how it
 * is printed, and how far the printed value may drift from the current metric before
 * `pipeline verify` fails. `paper/generated/numbers.tex` is generated from this table and
 * `verify` re-derives it, so the text can only quote what the pipeline measured.
 *
 * A tolerance of 0 means "the printed value equals the current metric printed the same way";
 * a positive tolerance is in printed units (e.g. percentage points for `scale: 100`).
 */

/** One number (or short text) the paper quotes. */
export interface NumberDecl {
  /** TeX macro name without the backslash; letters only (`exOneAcc`). */
  macro: string;
  /** Metrics file, relative to the project root. */
  file: string;
  /** Dotted path into the file (`test_accuracy`, `scaled.-1.entropy`, `backend.name`). */
  path: string;
  /** `number` (default) is printed with `digits` decimals after multiplying by `scale`; `text` verbatim. */
  kind?: 'number' | 'text';
  scale?: number;
  digits?: number;
  /** Allowed |printed − current| in printed units (default 0: exact). */
  tolerance?: number;
  /** What it is, for the generated file's comments and verify's messages. */
  what: string;
}

const ex1 = 'reports/ex1/metrics.json';
const ex2 = 'reports/ex2/metrics.json';
const theory = 'reports/theory/scaling.json';
const sweep = 'reports/sweep-best/metrics.json';
const ex3 = 'reports/ex3-full/metrics.json';
const ex3Base = 'reports/ex3-baseline/metrics.json';
const ex3Variant = (v: string): string => `reports/ex3-${v}/metrics.json`;
// The translation model the paper quotes: the best attention (translate.bestAttention) with the Bi-LSTM.
const dates = 'reports/translate-encoder/lstm/metrics.json';
const g2p = 'reports/g2p/metrics.json';
const spam = (member: string): string => `reports/spam/${member}/metrics.json`;

/** The paper's numbers, in the order they are written. */
export const PAPER_NUMBERS: readonly NumberDecl[] = [
  { macro: 'exOneAcc', file: ex1, path: 'test_accuracy', scale: 100, digits: 1, what: 'exercise 1 test accuracy (%)' },
  { macro: 'exOneFOne', file: ex1, path: 'macro_f1', digits: 3, what: 'exercise 1 macro F1' },
  { macro: 'exOneSpan', file: ex1, path: 'attention_span', digits: 1, what: 'exercise 1 attention span (steps with weight > 0.05)' },
  { macro: 'exOnePos', file: ex1, path: 'avg_attention_position', digits: 1, what: 'exercise 1 mean attended step' },
  { macro: 'exOneParams', file: ex1, path: 'parameters', digits: 0, what: 'exercise 1 trainable parameters' },
  { macro: 'exOneTestN', file: ex1, path: 'test_samples', digits: 0, what: 'exercise 1 test sequences' },
  { macro: 'exOneBestEpoch', file: ex1, path: 'best_epoch', digits: 0, what: 'exercise 1 best epoch' },
  { macro: 'exOneEpochs', file: ex1, path: 'epochs', digits: 0, what: 'exercise 1 epochs' },
  { macro: 'exTwoMse', file: ex2, path: 'test_mse', digits: 3, what: 'exercise 2 test MSE (normalised)' },
  { macro: 'exTwoMae', file: ex2, path: 'test_mae', digits: 3, what: 'exercise 2 test MAE (normalised)' },
  { macro: 'exTwoSpan', file: ex2, path: 'attention_span', digits: 1, what: 'exercise 2 attention span' },
  { macro: 'exTwoPos', file: ex2, path: 'avg_attention_position', digits: 1, what: 'exercise 2 mean attended input step' },
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
  { macro: 'exThreeMse', file: ex3, path: 'test_mse', digits: 4, what: 'exercise 3 improved model test MSE' },
  { macro: 'exThreeMae', file: ex3, path: 'test_mae', digits: 3, what: 'exercise 3 improved model test MAE' },
  { macro: 'exThreeParams', file: ex3, path: 'parameters', digits: 0, what: 'exercise 3 improved model parameters' },
  { macro: 'exThreeBaseMse', file: ex3Base, path: 'test_mse', digits: 4, what: 'exercise 3 baseline test MSE' },
  { macro: 'exThreeBaseMae', file: ex3Base, path: 'test_mae', digits: 3, what: 'exercise 3 baseline test MAE' },
  { macro: 'exThreeBaseParams', file: ex3Base, path: 'parameters', digits: 0, what: 'exercise 3 baseline parameters' },
  { macro: 'exThreeNoMemMse', file: ex3Variant('no-memory'), path: 'test_mse', digits: 4, what: 'exercise 3 without memory, test MSE' },
  { macro: 'exThreeNoTrMse', file: ex3Variant('no-transformer'), path: 'test_mse', digits: 4, what: 'exercise 3 without transformer, test MSE' },
  { macro: 'exThreeNoHierMse', file: ex3Variant('no-hierarchy'), path: 'test_mse', digits: 4, what: 'exercise 3 without hierarchy, test MSE' },
  { macro: 'datesAttention', file: dates, path: 'attention', kind: 'text', what: 'attention of the quoted date translator' },
  { macro: 'datesEm', file: dates, path: 'test_exact_match', scale: 100, digits: 1, what: 'dates exact match, greedy (%)' },
  { macro: 'datesBeamEm', file: dates, path: 'beam_exact_match', scale: 100, digits: 1, what: 'dates exact match, beam search (%)' },
  { macro: 'datesBeamWidth', file: dates, path: 'beam_width', digits: 0, what: 'beam width' },
  { macro: 'datesBleu', file: dates, path: 'test_bleu', digits: 1, what: 'dates BLEU (0-100), greedy' },
  { macro: 'datesNoneEm', file: 'reports/translate/none/metrics.json', path: 'test_exact_match', scale: 100, digits: 1, what: 'dates exact match without attention (%)' },
  { macro: 'gtpWordAcc', file: g2p, path: 'test_word_accuracy', scale: 100, digits: 1, what: 'g2p word accuracy (%)' },
  { macro: 'gtpPer', file: g2p, path: 'test_per', scale: 100, digits: 1, what: 'g2p phoneme error rate (%)' },
  { macro: 'gtpBleu', file: g2p, path: 'test_bleu', digits: 1, what: 'g2p BLEU (0-100)' },
  { macro: 'gtpWords', file: g2p, path: 'train_words', digits: 0, what: 'g2p training words (a CMUdict subset in the default profile)' },
  { macro: 'spamAttAcc', file: spam('lstm-attention-masked'), path: 'test_accuracy', scale: 100, digits: 1, what: 'spam LSTM + attention (masked) accuracy (%)' },
  { macro: 'spamAttFOne', file: spam('lstm-attention-masked'), path: 'test_f1', digits: 3, what: 'spam LSTM + attention (masked) F1' },
  { macro: 'spamLstmAcc', file: spam('lstm-masked'), path: 'test_accuracy', scale: 100, digits: 1, what: 'spam LSTM (masked) accuracy (%)' },
  { macro: 'spamRnnAcc', file: spam('simple-rnn-masked'), path: 'test_accuracy', scale: 100, digits: 1, what: 'spam SimpleRNN (masked) accuracy (%)' },
  { macro: 'spamRnnUnmaskedAcc', file: spam('simple-rnn-unmasked'), path: 'test_accuracy', scale: 100, digits: 1, what: 'spam SimpleRNN (unmasked) accuracy (%)' },
  { macro: 'spamBowAcc', file: spam('bow-logistic-masked'), path: 'test_accuracy', scale: 100, digits: 1, what: 'spam bag-of-words logistic regression accuracy (%)' },
  { macro: 'spamFrac', file: spam('lstm-attention-masked'), path: 'test_spam_fraction', scale: 100, digits: 1, what: 'share of spam in the test split (%)' },
  { macro: 'backendName', file: ex1, path: 'backend.name', kind: 'text', what: 'TensorFlow.js backend of the runs' },
];
