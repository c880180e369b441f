import { describe, expect, it } from 'vitest';
import { computeBleu, corpusBleu, sentenceBleu } from '../../../lib/ml/metrics/bleu.ts';
import { tokenize13a, tokenizeIntl } from '../../../lib/ml/metrics/tokenizers.ts';

/** Agreement asked of us with sacreBLEU's published values. */
const TOL = 1e-4;
const close = (actual: number, expected: number, tol = TOL): void => {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(tol);
};

// Inputs and expected values below are copied from sacreBLEU's test suite,
// github.com/mjpost/sacrebleu test/test_bleu.py (commit 785d26bb) unless noted.
const REFS = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

// sacrebleu.raw_corpus_bleu(sys, refs, smooth_value): floor smoothing, no tokenisation, effective order
const raw = (hyps: string[], refs: string[][], smoothValue = 0.1) =>
  corpusBleu(hyps, refs, { smooth: 'floor', smoothValue, tokenize: 'none', effectiveOrder: true });

describe('corpusBleu (test_bleu.py test_corpus_bleu)', () => {
  const cases: [string, readonly string[], Parameters<typeof corpusBleu>[2], number][] = [
    ['default settings', HYPS, {}, 48.530827],
    ['empty hypotheses are kept', ['', '', ''], {}, 0.0],
    ["tokenize 'none'", HYPS, { tokenize: 'none' }, 49.1919566],
    ["tokenize '13a'", HYPS, { tokenize: '13a' }, 48.530827],
    ["tokenize 'intl'", HYPS, { tokenize: 'intl' }, 43.91623493],
    ["smooth 'none'", HYPS, { smooth: 'none' }, 48.530827],
  ];
  it.each(cases)('%s', (_name, hyps, opts, expected) => {
    close(corpusBleu(hyps, REFS, opts).score, expected);
  });

  it('reports sufficient statistics consistent with the score', () => {
    const s = corpusBleu(HYPS, REFS);
    expect(s.counts).toHaveLength(4);
    expect(s.totals).toHaveLength(4);
    expect(s.sysLen).toBe(s.totals[0]);
    const geo = Math.exp(s.precisions.reduce((a, p) => a + Math.log(p), 0) / 4);
    close(s.bp * geo, s.score, 1e-9);
  });
});

describe('max n-gram order (test_bleu.py test_max_ngram_order, 2 decimals)', () => {
  it.each([
    [1, '77.65'],
    [2, '60.50'],
    [3, '53.93'],
    [4, '48.53'],
    [5, '46.14'],
    [6, '43.28'],
  ])('order %i', (order, expected) => {
    expect(corpusBleu(HYPS, REFS, { maxNgramOrder: order }).score.toFixed(2)).toBe(expected);
  });
});

describe('raw_corpus_bleu cases (floor 0.01, tokenize none, effective order)', () => {
  it.each([
    // returns 0.0 since sacreBLEU #141 (no match at all)
    [['this is a test', 'another test'], [['ref1', 'ref2']], 0.0],
    [['this is a test'], [['this is a test']], 1.0],
    [['this is a fest'], [['this is a test']], 0.223606797749979],
    // test_effective_order
    [['test'], [['a test']], 0.3678794411714425],
    [['a test'], [['a test']], 1.0],
    [['a little test'], [['a test']], 0.03218297948685433],
  ])('%j vs %j', (hyps, refs, expected) => {
    close(raw(hyps, refs, 0.01).score / 100, expected, 1e-8);
  });

  it('statistics (test_statistics)', () => {
    const s = raw(['am I am a character sequence'], [['I am a symbol string sequence a a']], 0.01);
    expect(s.counts).toEqual([4, 2, 1, 0]);
    expect(s.totals).toEqual([6, 5, 4, 3]);
  });

  it('offset (test_offset)', () => {
    const hyp = ['am I am a character sequence'];
    const ref = [['I am a symbol string sequence a a']];
    close(raw(hyp, ref, 0.0).score / 100, 0, 1e-8);
    close(corpusBleu(hyp, ref, { smooth: 'floor', tokenize: 'none', effectiveOrder: true }).score / 100, 0.1555722182, 1e-8);
  });
});

describe('computeBleu from statistics', () => {
  it('test_scoring', () => {
    close(computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11, { smooth: 'none' }).score / 100, 0.8375922397, 1e-8);
  });

  it.each([
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ])('degenerate %j / %j (floor)', (counts, totals, sys, ref, offset) => {
    expect(computeBleu(counts, totals, sys, ref, { smooth: 'floor', smoothValue: offset }).score).toBe(0);
  });

  it('does not mutate its inputs under add-k', () => {
    const counts = [3, 1, 0, 0];
    const totals = [4, 3, 2, 1];
    computeBleu(counts, totals, 4, 4, { smooth: 'add-k' });
    expect(counts).toEqual([3, 1, 0, 0]);
    expect(totals).toEqual([4, 3, 2, 1]);
  });
});

// github.com/mjpost/sacrebleu test/test_sentence_bleu.py (commit ad62c9b5), example from issue #98;
// its expected values are published to 3–5 digits and checked there with EPSILON = 1e-3.
describe('sentenceBleu (test_sentence_bleu.py)', () => {
  const REF = 'producţia de zahăr brut se exprimă în zahăr alb;';
  const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
  it.each([
    ['exp', undefined, false, '13a', 8.493],
    ['none', undefined, false, '13a', 0.0],
    ['floor', undefined, false, '13a', 4.51688],
    ['floor', 0.1, false, '13a', 4.51688],
    ['floor', 0.5, false, '13a', 10.1],
    ['add-k', undefined, false, '13a', 14.882],
    ['add-k', 1, false, '13a', 14.882],
    ['add-k', 2, false, '13a', 21.389],
    ['exp', undefined, false, 'none', 7.347],
    ['exp', undefined, false, 'intl', 8.493],
    ['exp', undefined, false, 'char', 40.8759],
    ['exp', undefined, true, 'char', 42.0267],
  ] as const)('smooth %s value %s lowercase %s tokenize %s', (smooth, smoothValue, lowercase, tokenize, expected) => {
    const s = sentenceBleu(SYS, [REF], { smooth, smoothValue, lowercase, tokenize });
    close(s.score, expected, 1e-3);
  });

  it.each(['exp', 'none', 'floor', 'add-k'] as const)('no match gives 0 with smooth %s (issue #141)', (smooth) => {
    expect(sentenceBleu('this is a cat', ['okay thanks'], { smooth }).score).toBe(0);
  });
});

describe('tokenisers', () => {
  it('13a unescapes entities and splits punctuation but not numbers', () => {
    expect(tokenize13a('He said &quot;3,000.5 km-long&quot; &amp; left.')).toBe(
      'He said " 3,000.5 km-long " & left .',
    );
    expect(tokenize13a('1990-2000, (a/b)')).toBe('1990 - 2000 , ( a / b )');
    expect(tokenize13a("It wasn't <skipped>ok")).toBe("It wasn't ok");
  });

  it('intl splits Unicode punctuation and symbols', () => {
    expect(tokenizeIntl('Hello, world! 3.5€')).toBe('Hello , world ! 3.5 €');
  });

  it('corpusBleu rejects mismatched streams', () => {
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(/1 sentences but there are 2/);
  });
});
