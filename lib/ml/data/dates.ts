/**
 * Exercise 4 data (seq2seq): dates written in 22 human formats → ISO `YYYY-MM-DD`, at character
 * level. Dates are uniform over 1950-01-01…2049-12-31, so two-digit years are unambiguous (50–99 →
 * 19xx, 00–49 → 20xx); day-first and month-first numeric formats use different separators
 * (`/` and `.` are day-first, `-` is month-first) so every source has exactly one reading.
 */
import { type Bundle, getArray, readBundle, readSplit, splitArrays, writeBundle } from './io.ts';
import { deriveSeed, rng as seededRng } from '../random.ts';
import { DEFAULT_SPLIT, type SplitFractions, type SplitIndices, randomSplit } from './splits.ts';
import { SEQ2SEQ_SPECIALS, type Vocabulary, decodeIds, encodeBatch, makeVocabulary, vocabularyFromTokens } from './vocab.ts';

export const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** A rendering format: a pattern (moment.js-like tokens, `[…]` literal) and an optional case. */
export interface DateFormat {
  pattern: string;
  case?: 'lower' | 'upper';
}

/** The formats, by id. Names (`formatName`) are the patterns plus the case. */
export const DATE_FORMATS: readonly DateFormat[] = [
  { pattern: 'D MMMM YYYY' },
  { pattern: 'MMMM D, YYYY' },
  { pattern: 'DD/MM/YY' },
  { pattern: 'dddd, MMMM D, YYYY' },
  { pattern: 'YYYY.MM.DD' },
  { pattern: 'Do [of] MMMM YYYY' },
  { pattern: 'MM-DD-YYYY' },
  { pattern: 'D MMM YYYY' },
  { pattern: 'MMM D, YYYY' },
  { pattern: 'dddd D MMMM YYYY' },
  { pattern: 'ddd, D MMM YYYY' },
  { pattern: 'YYYYMMDD' },
  { pattern: 'DD.MM.YYYY' },
  { pattern: 'D.M.YYYY' },
  { pattern: 'MMMM Do, YYYY' },
  { pattern: 'D MMMM YYYY', case: 'lower' },
  { pattern: 'DD MMM YYYY', case: 'upper' },
  { pattern: '[the] Do [of] MMMM, YYYY' },
  { pattern: 'YYYY-MM-DD' },
  { pattern: 'MMMM D YYYY' },
  { pattern: 'ddd MMM DD YYYY' },
  { pattern: 'D/M/YYYY' },
];

/** Display name of a format, e.g. `D MMMM YYYY (lower)`. */
export function formatName(f: DateFormat): string {
  return f.case ? `${f.pattern} (${f.case})` : f.pattern;
}

/** A calendar date (month 1–12). */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ordinal = (n: number): string => {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
};

/** ISO `YYYY-MM-DD`. */
export function toIso(d: CalendarDate): string {
  return `${String(d.year).padStart(4, '0')}-${pad2(d.month)}-${pad2(d.day)}`;
}

/** Day of the week, 0 = Sunday (proleptic Gregorian, via UTC so the time zone cannot matter). */
export function weekday(d: CalendarDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

const TOKEN = /\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|./g;

/** Renders a date in a format. */
export function renderDate(d: CalendarDate, f: DateFormat): string {
  const month = MONTHS[d.month - 1]!;
  const wd = WEEKDAYS[weekday(d)]!;
  const text = f.pattern.replace(TOKEN, (tok) => {
    switch (tok) {
      case 'YYYY': return String(d.year);
      case 'YY': return pad2(d.year % 100);
      case 'MMMM': return month;
      case 'MMM': return month.slice(0, 3);
      case 'MM': return pad2(d.month);
      case 'M': return String(d.month);
      case 'Do': return ordinal(d.day);
      case 'DD': return pad2(d.day);
      case 'D': return String(d.day);
      case 'dddd': return wd;
      case 'ddd': return wd.slice(0, 3);
      default: return tok.startsWith('[') ? tok.slice(1, -1) : tok;
    }
  });
  return f.case === 'lower' ? text.toLowerCase() : f.case === 'upper' ? text.toUpperCase() : text;
}

const FIRST_DAY = Date.UTC(1950, 0, 1) / 86_400_000;
const LAST_DAY = Date.UTC(2049, 11, 31) / 86_400_000;

/** Characters any format can produce: the source alphabet, fixed so vocabularies never depend on samples. */
function sourceAlphabet(): string[] {
  const words = [...MONTHS, ...WEEKDAYS, 'the of st nd rd th'];
  const text = words.join(' ') + words.join(' ').toLowerCase() + words.join(' ').toUpperCase() + '0123456789 ,./-';
  return [...new Set(text)].sort();
}

/** Source (character) vocabulary: PAD, START, END, UNK, then the sorted alphabet. */
export const DATE_SOURCE_VOCAB: Vocabulary = makeVocabulary(sourceAlphabet(), SEQ2SEQ_SPECIALS);
/** Target vocabulary: PAD, START, END, UNK, digits and `-`. */
export const DATE_TARGET_VOCAB: Vocabulary = makeVocabulary([...'0123456789-'], SEQ2SEQ_SPECIALS);

/** Options of `generateDates`. */
export interface DatesOptions {
  /** Default 10000. */
  n?: number;
  /** Source length after padding (post) / truncation. Default 32 (the longest rendering is 29). */
  maxSourceLen?: number;
  /** Default 42. */
  seed?: number;
  split?: SplitFractions;
}

/** The dates data set. */
export interface DatesData {
  sources: string[];
  /** ISO dates. */
  targets: string[];
  /** Format id (index into `DATE_FORMATS`) per sample. */
  formats: Int32Array;
  /** `n × maxSourceLen` source character ids, PAD-padded at the end. */
  x: Int32Array;
  /** Unpadded source lengths (for masks). */
  xLengths: Int32Array;
  /** `n × 12` target ids: START, 10 characters, END (decoder input is `y[:, :-1]`, output `y[:, 1:]`). */
  y: Int32Array;
  n: number;
  maxSourceLen: number;
  targetLen: number;
  sourceVocab: Vocabulary;
  targetVocab: Vocabulary;
  split: SplitIndices;
  options: Required<DatesOptions>;
}

const KIND = 'dates';
const TARGET_LEN = 12;

/** Generates the data set; same options → identical arrays. */
export function generateDates(opts: DatesOptions = {}): DatesData {
  const o: Required<DatesOptions> = {
    n: opts.n ?? 10000,
    maxSourceLen: opts.maxSourceLen ?? 32,
    seed: opts.seed ?? 42,
    split: opts.split ?? DEFAULT_SPLIT,
  };
  const rng = seededRng(deriveSeed(o.seed, 'data/dates'));
  const sources: string[] = [];
  const targets: string[] = [];
  const formats = new Int32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    const day = FIRST_DAY + rng.int(0, LAST_DAY - FIRST_DAY + 1);
    const dt = new Date(day * 86_400_000);
    const date = { year: dt.getUTCFullYear(), month: dt.getUTCMonth() + 1, day: dt.getUTCDate() };
    const f = rng.int(0, DATE_FORMATS.length);
    formats[i] = f;
    sources.push(renderDate(date, DATE_FORMATS[f]!));
    targets.push(toIso(date));
  }
  return assemble(sources, targets, formats, o, randomSplit(o.n, o.split, o.seed));
}

function assemble(
  sources: string[],
  targets: string[],
  formats: Int32Array,
  o: Required<DatesOptions>,
  split: SplitIndices,
): DatesData {
  const src = encodeBatch(DATE_SOURCE_VOCAB, sources.map((s) => [...s]), { maxLen: o.maxSourceLen });
  const tgt = encodeBatch(DATE_TARGET_VOCAB, targets.map((s) => [...s]), { maxLen: TARGET_LEN, addStart: true, addEnd: true });
  return {
    sources,
    targets,
    formats,
    x: src.ids,
    xLengths: src.lengths,
    y: tgt.ids,
    n: sources.length,
    maxSourceLen: o.maxSourceLen,
    targetLen: TARGET_LEN,
    sourceVocab: DATE_SOURCE_VOCAB,
    targetVocab: DATE_TARGET_VOCAB,
    split,
    options: o,
  };
}

/** Decodes target-vocabulary ids (e.g. a model's output) to a string, stopping at END. */
export function decodeDate(ids: ArrayLike<number>): string {
  return decodeIds(DATE_TARGET_VOCAB, ids).join('');
}

/** Encodes a source string as the model's input (PAD-padded to `maxLen`). */
export function encodeDateSource(text: string, maxLen = 32): Int32Array {
  return encodeBatch(DATE_SOURCE_VOCAB, [[...text]], { maxLen }).ids;
}

interface Meta {
  options: Required<DatesOptions>;
  sources: string[];
  targets: string[];
  sourceVocab: readonly string[];
  targetVocab: readonly string[];
}

/** Writes the data set as a bundle into `dir` (strings and vocabularies in meta.json). */
export async function writeDates(dir: string, data: DatesData): Promise<void> {
  const meta: Meta = {
    options: data.options,
    sources: data.sources,
    targets: data.targets,
    sourceVocab: data.sourceVocab.tokens,
    targetVocab: data.targetVocab.tokens,
  };
  await writeBundle(dir, KIND, meta, {
    formats: { data: data.formats, shape: [data.n] },
    x: { data: data.x, shape: [data.n, data.maxSourceLen] },
    xLengths: { data: data.xLengths, shape: [data.n] },
    y: { data: data.y, shape: [data.n, data.targetLen] },
    ...splitArrays(data.split),
  });
}

/** Reads a data set written by `writeDates`. */
export async function readDates(dir: string): Promise<DatesData> {
  const b: Bundle<Meta> = await readBundle(dir, KIND);
  const x = getArray(b, 'x', Int32Array);
  const y = getArray(b, 'y', Int32Array);
  return {
    sources: b.meta.sources,
    targets: b.meta.targets,
    formats: getArray(b, 'formats', Int32Array).data,
    x: x.data,
    xLengths: getArray(b, 'xLengths', Int32Array).data,
    y: y.data,
    n: x.shape[0] ?? 0,
    maxSourceLen: x.shape[1] ?? 0,
    targetLen: y.shape[1] ?? 0,
    sourceVocab: vocabularyFromTokens(b.meta.sourceVocab, SEQ2SEQ_SPECIALS),
    targetVocab: vocabularyFromTokens(b.meta.targetVocab, SEQ2SEQ_SPECIALS),
    split: readSplit(b),
    options: b.meta.options,
  };
}
