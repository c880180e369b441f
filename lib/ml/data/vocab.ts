/**
 * Token vocabularies (characters, phonemes, words) with special tokens, and fixed-length
 * encoding with padding/truncation. Ids are dense: specials first, then tokens.
 */

/** Special tokens. PAD is always id 0 when present, so zero-filled arrays are padding. */
export const PAD = '<pad>';
export const START = '<s>';
export const END = '</s>';
export const UNK = '<unk>';

/** Specials used by sequence-to-sequence data: PAD=0, START=1, END=2, UNK=3. */
export const SEQ2SEQ_SPECIALS: readonly string[] = [PAD, START, END, UNK];

/** An immutable vocabulary. `-1` marks a special it lacks. */
export interface Vocabulary {
  /** Token of each id. */
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
  readonly padId: number;
  readonly startId: number;
  readonly endId: number;
  readonly unkId: number;
  readonly size: number;
}

/** A vocabulary over `specials` followed by `tokens` (duplicates of earlier entries are dropped). */
export function makeVocabulary(tokens: Iterable<string>, specials: readonly string[] = SEQ2SEQ_SPECIALS): Vocabulary {
  const list: string[] = [];
  const ids = new Map<string, number>();
  for (const t of [...specials, ...tokens]) {
    if (!ids.has(t)) {
      ids.set(t, list.length);
      list.push(t);
    }
  }
  const id = (t: string): number => (specials.includes(t) ? ids.get(t)! : -1);
  return { tokens: list, ids, padId: id(PAD), startId: id(START), endId: id(END), unkId: id(UNK), size: list.length };
}

/** Options of `buildVocabulary`. */
export interface BuildVocabularyOptions {
  /** Keep tokens seen at least this often. Default 1. */
  minFreq?: number;
  /** Maximum size including specials. Default unlimited. */
  maxSize?: number;
  /** Default `SEQ2SEQ_SPECIALS`. */
  specials?: readonly string[];
}

/** A vocabulary of the most frequent tokens (ties broken by code-unit order, so it is deterministic). */
export function buildVocabulary(sequences: Iterable<readonly string[]>, opts: BuildVocabularyOptions = {}): Vocabulary {
  const specials = opts.specials ?? SEQ2SEQ_SPECIALS;
  const freq = new Map<string, number>();
  for (const seq of sequences) for (const t of seq) freq.set(t, (freq.get(t) ?? 0) + 1);
  const minFreq = opts.minFreq ?? 1;
  const room = Math.max(0, (opts.maxSize ?? Infinity) - specials.length);
  const kept = [...freq]
    .filter(([t, c]) => c >= minFreq && !specials.includes(t))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, room)
    .map(([t]) => t);
  return makeVocabulary(kept, specials);
}

/** Rebuilds a vocabulary from its token list (as stored in a bundle's meta). */
export function vocabularyFromTokens(tokens: readonly string[], specials: readonly string[]): Vocabulary {
  return makeVocabulary(tokens.slice(specials.length), specials);
}

/** Options of `encodeTokens`. */
export interface EncodeOptions {
  /** Output length; defaults to the encoded length (no padding). */
  maxLen?: number;
  /** Prepend START. Default false. */
  addStart?: boolean;
  /** Append END. Default false. */
  addEnd?: boolean;
  /** Where padding goes. Default 'post'. */
  padding?: 'pre' | 'post';
  /** Which end is cut when too long. Default 'post' (keep the beginning). */
  truncating?: 'pre' | 'post';
}

/** An encoded sequence and its unpadded length (for masks). */
export interface Encoded {
  ids: Int32Array;
  length: number;
}

/** Encodes tokens to ids (unknown → UNK, or throws if the vocabulary has none), padded with PAD. */
export function encodeTokens(vocab: Vocabulary, tokens: readonly string[], opts: EncodeOptions = {}): Encoded {
  const maxLen = opts.maxLen ?? tokens.length + (opts.addStart ? 1 : 0) + (opts.addEnd ? 1 : 0);
  const ids = new Int32Array(maxLen);
  return { ids, length: encodeInto(vocab, tokens, { ...opts, maxLen }, ids, 0) };
}

/** Writes one padded row at `offset` of `out`; returns its unpadded length. */
function encodeInto(
  vocab: Vocabulary,
  tokens: readonly string[],
  opts: EncodeOptions & { maxLen: number },
  out: Int32Array,
  offset: number,
): number {
  const { maxLen } = opts;
  const start = opts.addStart ? 1 : 0;
  const total = start + tokens.length + (opts.addEnd ? 1 : 0);
  // position in the full (unpadded, untruncated) sequence of the first kept element
  const skip = total > maxLen && opts.truncating === 'pre' ? total - maxLen : 0;
  const kept = Math.min(total, maxLen);
  const at = offset + (opts.padding === 'pre' ? maxLen - kept : 0);
  out.fill(vocab.padId >= 0 ? vocab.padId : 0, offset, offset + maxLen);
  for (let k = 0; k < kept; k++) {
    const p = skip + k;
    out[at + k] =
      p < start
        ? need(vocab.startId, 'START')
        : p - start < tokens.length
          ? tokenId(vocab, tokens[p - start]!)
          : need(vocab.endId, 'END');
  }
  return kept;
}

function tokenId(vocab: Vocabulary, t: string): number {
  const id = vocab.ids.get(t);
  if (id !== undefined) return id;
  if (vocab.unkId >= 0) return vocab.unkId;
  throw new Error(`encodeTokens: unknown token ${JSON.stringify(t)} and no UNK in the vocabulary`);
}

function need(id: number, what: string): number {
  if (id < 0) throw new Error(`encodeTokens: the vocabulary has no ${what} token`);
  return id;
}

/** Options of `decodeIds`. */
export interface DecodeOptions {
  /** Stop at the first END. Default true. */
  stopAtEnd?: boolean;
  /** Drop PAD and START (and END when not stopping). Default true. */
  skipSpecials?: boolean;
}

/** Ids back to tokens. Ids outside the vocabulary decode to UNK's token (or `<unk>`). */
export function decodeIds(vocab: Vocabulary, ids: ArrayLike<number>, opts: DecodeOptions = {}): string[] {
  const stopAtEnd = opts.stopAtEnd ?? true;
  const skip = opts.skipSpecials ?? true;
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (stopAtEnd && id === vocab.endId) break;
    if (skip && (id === vocab.padId || id === vocab.startId || id === vocab.endId)) continue;
    out.push(vocab.tokens[id] ?? UNK);
  }
  return out;
}

/** Encodes many sequences into one flat `n × maxLen` array plus their lengths. */
export function encodeBatch(
  vocab: Vocabulary,
  sequences: readonly (readonly string[])[],
  opts: EncodeOptions & { maxLen: number },
): { ids: Int32Array; lengths: Int32Array } {
  const ids = new Int32Array(sequences.length * opts.maxLen);
  const lengths = new Int32Array(sequences.length);
  sequences.forEach((seq, i) => {
    lengths[i] = encodeInto(vocab, seq, opts, ids, i * opts.maxLen);
  });
  return { ids, lengths };
}
