import { describe, expect, it } from 'vitest';
import { multiReferenceRates } from '../../../lib/ml/metrics/sequence.ts';

const p = (s: string): string[] => s.split(' ');

describe('multiReferenceRates (the CMUdict WER/PER convention)', () => {
  // four words, hand-scored:
  //   read     [R EH D | R IY D]            R IY D     matches the 2nd → right, 0 edits over 3
  //   cat      [K AE T]                     K AH T     wrong, 1 edit over 3
  //   tomato   [T AH M EY T OW | T AH M AA T OW]  T AH M AA T
  //            2 edits to the 1st, 1 to the 2nd → wrong, 1 edit over the 2nd's 6
  //   tie      [AE B | AE B K D]            AE B K     1 edit to each → the first (length 2)
  const refs = [['R EH D', 'R IY D'], ['K AE T'], ['T AH M EY T OW', 'T AH M AA T OW'], ['AE B', 'AE B K D']].map((r) => r.map(p));
  const hyps = ['R IY D', 'K AH T', 'T AH M AA T', 'AE B K'].map(p);

  it('counts a word right when it matches any pronunciation, and scores edits against the closest', () => {
    const r = multiReferenceRates(refs, hyps);
    expect(r.wer).toBe(3 / 4);
    expect(r.per).toBeCloseTo(3 / (3 + 3 + 6 + 2), 12);
  });

  it('differs from scoring against the first pronunciation only', () => {
    const first = multiReferenceRates(refs.map((r) => [r[0]!]), hyps);
    expect(first.wer).toBe(1); // read is wrong against R EH D
    expect(first.per).toBeCloseTo((1 + 1 + 2 + 1) / (3 + 3 + 6 + 2), 12);
  });

  it('rejects mismatched lengths and a word without reference', () => {
    expect(() => multiReferenceRates(refs, hyps.slice(1))).toThrow(/4 reference lists vs 3 hypotheses/);
    expect(() => multiReferenceRates([[]], [p('A')])).toThrow(/item 0 has no reference/);
    expect(multiReferenceRates([], [])).toEqual({ wer: 0, per: 0 });
  });
});
