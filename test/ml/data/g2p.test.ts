import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type G2pData, type G2pOptions, checkG2pDataParams, cmudictEntries, g2pSide, generateG2p, groupByWord, loadCmudict, readG2p, writeG2p,
} from '../../../lib/ml/data/g2p.ts';
import { decodeIds } from '../../../lib/ml/data/vocab.ts';
import { TINY_G2P, bundleBytes, sameArray, tempDir } from './helpers.ts';

// pipeline.yaml's split, with a small training subset
const STANDARD: G2pOptions = { ...TINY_G2P, trainWords: 2000, valWords: 'all', testWords: 'all' };

// cmudict is loaded once for this file (the loader caches it per process); the load took about
// 0.3 s on an idle machine, several seconds on a loaded one.
let small: G2pData;
beforeAll(() => {
  loadCmudict();
  small = generateG2p(STANDARD);
});

const wordsOf = (d: G2pData, rows: Int32Array): Set<string> => new Set(groupByWord(d, rows).map((g) => g.word));

describe('cmudict loader', () => {
  it('returns the whole dictionary', () => {
    const { dict, symbols } = loadCmudict();
    expect(Object.keys(dict).length).toBeGreaterThan(130_000);
    expect(dict.CAT).toBe('K AE1 T');
    expect(symbols).toContain('ZH');
  });

  it('keeps words of letters and apostrophes with every distinct stress-free pronunciation', () => {
    const entries = cmudictEntries(true);
    expect(entries.size).toBe(123_874);
    expect(entries.get('read')).toEqual([['R', 'EH', 'D'], ['R', 'IY', 'D']]); // READ, READ(1)
    expect(entries.get("a's")).toEqual([['EY', 'Z']]);
    expect(entries.has('ad-hoc') || entries.has('a.')).toBe(false);
    // ACTUALLY(1) differs from ACTUALLY only in stress: one pronunciation left after stripping
    const stressed = cmudictEntries(false);
    const collapsed = [...stressed].filter(([w, p]) => p.length > entries.get(w)!.length);
    expect(collapsed.length).toBeGreaterThan(0);
    expect([...entries.values()].flat().flat().every((s) => /^[A-Z]+$/.test(s))).toBe(true);
  });
});

describe('the standard split', () => {
  it('holds out at least 10 % of the words, all pronunciations of a word on one side', () => {
    const entries = cmudictEntries(true);
    expect(small.pool.test / entries.size).toBeGreaterThanOrEqual(0.1);
    expect(small.pool.train + small.pool.val + small.pool.test).toBe(entries.size);
    const sides = [small.split.train, small.split.val, small.split.test].map((rows) => wordsOf(small, rows));
    for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) expect([...sides[a]!].filter((w) => sides[b]!.has(w))).toEqual([]);
    // a test word comes with every pronunciation the dictionary has for it
    const read = groupByWord(small, small.split.test).find((g) => entries.get(g.word)!.length > 1)!;
    expect(read.rows.map((r) => small.phonemes[r])).toEqual(entries.get(read.word));
    expect(sides[2]!.size).toBe(small.pool.test);
    expect(sides[0]!.size).toBe(2000);
  });

  it('is a function of the word and splitSeed: the training size and seed do not move a test word', () => {
    const other = generateG2p({ ...STANDARD, trainWords: 500, seed: 9 });
    expect(other.words.filter((_, i) => other.split.test.includes(i))).toEqual(small.words.filter((_, i) => small.split.test.includes(i)));
    expect(wordsOf(other, other.split.train)).not.toEqual(wordsOf(small, small.split.train));
    expect([...wordsOf(small, small.split.test)].every((w) => g2pSide(w, STANDARD) === 'test')).toBe(true);
    const moved = generateG2p({ ...STANDARD, splitSeed: 1 });
    expect(wordsOf(moved, moved.split.test)).not.toEqual(wordsOf(small, small.split.test));
  });

  it('samples the training words from the training pool only, and test words from the test set', () => {
    const tiny = generateG2p(TINY_G2P);
    expect(wordsOf(tiny, tiny.split.train).size).toBe(40);
    expect([...wordsOf(tiny, tiny.split.train)].every((w) => g2pSide(w, STANDARD) === 'train')).toBe(true);
    expect([...wordsOf(tiny, tiny.split.val)].every((w) => g2pSide(w, STANDARD) === 'val')).toBe(true);
    const test = wordsOf(tiny, tiny.split.test);
    expect(test.size).toBe(20);
    const all = wordsOf(small, small.split.test);
    expect([...test].every((w) => all.has(w))).toBe(true);
  });

  it('rejects a test share under 10 % and unknown or mistyped keys, naming each', () => {
    const { seed: _, ...good } = STANDARD;
    const bad = checkG2pDataParams({ ...good, testFraction: 0.05, trainWords: 'most', size: 3 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors).toEqual([
      'data.g2p.trainWords: expected an integer ≥ 1 or "all", got "most"',
      'data.g2p.testFraction: expected a number ≥ 0.1 ≤ 0.5, got 0.05',
      'data.g2p.size: unknown param (known: trainWords, valWords, testWords, testFraction, valFraction, splitSeed, stripStress)',
    ]);
    expect(checkG2pDataParams(good).ok).toBe(true);
  });
});

describe('g2p bundle', () => {
  it('encodes words and START/phonemes/END that decode back', () => {
    expect(small.graphemeVocab.size).toBe(4 + 27);
    expect(small.phonemeVocab.size).toBe(4 + 39);
    for (const i of [0, 123, small.n - 1]) {
      const x = small.x.subarray(i * small.sourceLen, (i + 1) * small.sourceLen);
      expect(decodeIds(small.graphemeVocab, x).join('')).toBe(small.words[i]);
      const y = small.y.subarray(i * small.targetLen, (i + 1) * small.targetLen);
      expect(y[0]).toBe(small.phonemeVocab.startId);
      expect(decodeIds(small.phonemeVocab, y)).toEqual(small.phonemes[i]);
      expect(small.yLengths[i]).toBe(small.phonemes[i]!.length + 2);
    }
  });

  it('determinism and round trip', async () => {
    const dir = await tempDir();
    await writeG2p(join(dir, 'a'), generateG2p(TINY_G2P));
    await writeG2p(join(dir, 'b'), generateG2p(TINY_G2P));
    const a = await bundleBytes(join(dir, 'a'));
    expect(a.equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    const tiny = generateG2p(TINY_G2P);
    const back = await readG2p(join(dir, 'a'));
    expect(back.words).toEqual(tiny.words);
    expect(back.phonemes).toEqual(tiny.phonemes);
    expect(sameArray(back.x, tiny.x) && sameArray(back.y, tiny.y)).toBe(true);
    expect(back.phonemeVocab.tokens).toEqual(tiny.phonemeVocab.tokens);
    expect(back.split).toEqual(tiny.split);
    expect(back.pool).toEqual(tiny.pool);
  });
});
