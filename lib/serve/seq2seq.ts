/**
 * Serving a character-level sequence-to-sequence model (date translator, g2p): instances are
 * strings, checked against the vocabulary saved in the model's `serving.json`, decoded greedily
 * in one batch; predictions are the output text, and with `attention` the alignment (rows:
 * output tokens incl. `</s>`, columns: source characters).
 */
import type { Seq2SeqServing } from '../ml/artifacts/serving.ts';
import { decodeGreedy } from '../ml/experiments/translate-seq2seq.ts';
import type { Seq2Seq } from '../ml/models/seq2seq.ts';
import { HttpError, jsonType } from './errors.ts';

/** One instance, checked and encoded. */
export interface Seq2SeqInput {
  chars: string[];
  ids: number[];
}

/** One prediction. */
export interface Seq2SeqPrediction {
  output: string;
  /** Present when asked for: `weights[i][j]` = output token i's attention on source character j. */
  attention?: { source: string[]; output: string[]; weights: number[][] };
}

// Built once per loaded card, not per instance: a served card lives as long as its version.
const vocabs = new WeakMap<Seq2SeqServing, Map<string, number>>();
function vocabOf(card: Seq2SeqServing): Map<string, number> {
  let v = vocabs.get(card);
  if (!v) vocabs.set(card, (v = new Map(card.sourceTokens.map((t, id) => [t, id]))));
  return v;
}

/** Checks and encodes instance `i` of a request; a `HttpError` 400 names what is wrong. */
export function encodeInstance(card: Seq2SeqServing, value: unknown, i: number): Seq2SeqInput {
  if (typeof value !== 'string') throw new HttpError(400, `instances[${i}] must be a string (${card.input}), got ${jsonType(value)}.`);
  const text = card.sourceCase === 'lower' ? value.toLowerCase() : value;
  const chars = [...text];
  if (chars.length === 0) throw new HttpError(400, `instances[${i}] is empty.`);
  if (chars.length > card.maxSourceLen) throw new HttpError(400, `instances[${i}] has ${chars.length} characters; the model reads at most ${card.maxSourceLen}.`);
  const vocab = vocabOf(card);
  const ids: number[] = [];
  const bad: string[] = [];
  for (const c of chars) {
    const id = vocab.get(c);
    // Ids 0–3 are the specials: a client typing "<s>" as one character is impossible, but be sure.
    if (id === undefined || id < 4) bad.push(c);
    else ids.push(id);
  }
  if (bad.length > 0) {
    const shown = [...new Set(bad)].slice(0, 5).map((c) => JSON.stringify(c)).join(', ');
    throw new HttpError(400, `instances[${i}] has characters outside the model's vocabulary: ${shown}.`);
  }
  return { chars, ids };
}

/** One forward pass over every instance of a batch. */
export function predictBatch(model: Seq2Seq, card: Seq2SeqServing, inputs: readonly Seq2SeqInput[], withAttention: readonly boolean[]): Seq2SeqPrediction[] {
  // The weights are read back only when a request in the batch asked for them.
  const { tokens, attention } = decodeGreedy(model, inputs.map((x) => x.ids), card.maxOutputLen, undefined, withAttention.some(Boolean));
  return inputs.map((x, k) => {
    const out = tokens[k]!.map((id) => card.targetTokens[id] ?? '?');
    const p: Seq2SeqPrediction = { output: out.join(card.outputJoin) };
    if (withAttention[k]) {
      const weights = attention[k]!;
      p.attention = { source: x.chars, output: [...out, '</s>'].slice(0, weights.length), weights: weights.map((r) => r.map((w) => Number(w.toPrecision(4)))) };
    }
    return p;
  });
}
