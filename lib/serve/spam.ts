/**
 * Serving the spam classifier: instances are mail texts, tokenized as at training time
 * (`tokenizeEmail`, the saved vocabulary, unknown words → `<unk>`, the saved length, padding and
 * truncation); predictions are `{probability, spam}`, and with `attention` the attention
 * model's weights over the tokens it read.
 */
import * as tf from '@tensorflow/tfjs';
import type { TextClassifierServing } from '../ml/artifacts/serving.ts';
import { SPAM_SPECIALS, tokenizeEmail } from '../ml/data/spam.ts';
import { encodeBatch, vocabularyFromTokens } from '../ml/data/vocab.ts';
import type { SpamClassifier } from '../ml/models/spam-classifier.ts';
import { HttpError, jsonType } from './errors.ts';

/** One checked, tokenized mail. */
export interface MailInput {
  tokens: string[];
}

/** One prediction. */
export interface MailPrediction {
  probability: number;
  spam: boolean;
  attention?: { tokens: string[]; weights: number[] };
}

/** Checks and tokenizes instance `i`. */
export function encodeMail(card: TextClassifierServing, value: unknown, i: number): MailInput {
  if (typeof value !== 'string') throw new HttpError(400, `instances[${i}] must be a string (${card.input}), got ${jsonType(value)}.`);
  // Training mails all start with headers, and the tokenizer reads the body after the first blank
  // line; a client sending only the body (no `Name:` first line) must not have it taken for headers.
  const mail = /^[A-Za-z][A-Za-z0-9-]*:/.test(value) ? value : `\n\n${value}`;
  const tokens = tokenizeEmail(mail, { keepSubject: card.keepSubject });
  if (tokens.length === 0) throw new HttpError(400, `instances[${i}] has no words.`);
  return { tokens };
}

/** One forward pass over a batch of mails. */
export function predictMails(model: SpamClassifier, card: TextClassifierServing, inputs: readonly MailInput[], withAttention: readonly boolean[]): MailPrediction[] {
  const vocab = vocabularyFromTokens(card.tokens, SPAM_SPECIALS);
  const enc = encodeBatch(vocab, inputs.map((x) => x.tokens), { maxLen: card.maxLen, padding: card.padding, truncating: card.truncating });
  const ids = tf.tensor2d(enc.ids, [inputs.length, card.maxLen], 'int32');
  const mask = tf.tidy(() => tf.notEqual(ids, vocab.padId).toFloat() as tf.Tensor2D);
  try {
    const { probs, attention } = model.predict(ids, mask);
    return inputs.map((_, k) => {
      const p: MailPrediction = { probability: Number(probs[k]!.toPrecision(4)), spam: probs[k]! >= card.threshold };
      if (withAttention[k] && attention) {
        const row = Array.from(enc.ids.subarray(k * card.maxLen, (k + 1) * card.maxLen));
        const keep = row.map((id, j) => [id, j] as const).filter(([id]) => id !== vocab.padId);
        p.attention = { tokens: keep.map(([id]) => vocab.tokens[id] ?? '?'), weights: keep.map(([, j]) => Number(attention[k * card.maxLen + j]!.toPrecision(4))) };
      }
      return p;
    });
  } finally {
    tf.dispose([ids, mask]);
  }
}
