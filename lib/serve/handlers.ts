/**
 * What a served version does with a request, by the kind of its `serving.json`: check and
 * encode each instance (a 400 names what is wrong), and run one forward pass over a batch. The
 * card's kind must match the saved model's class.
 */
import type { ServingCard } from '../ml/artifacts/serving.ts';
import type { Model } from '../ml/models/model.ts';
import { Seq2Seq } from '../ml/models/seq2seq.ts';
import { SpamClassifier } from '../ml/models/spam-classifier.ts';
import { GruAttentionClassifier } from '../ml/models/gru-attention-classifier.ts';
import { encodeSequence, predictSequences } from './sequence-classifier.ts';
import { Seq2SeqForecaster } from '../ml/models/forecaster.ts';
import { encodeSeries, predictSeries } from './forecaster.ts';
import { encodeInstance, predictBatch } from './seq2seq.ts';
import { encodeMail, predictMails } from './spam.ts';
import { TemporalLatentModel } from '../ml/models/temporal-latent.ts';
import { encodeClip, predictClips } from './video.ts';

/** One request item after encoding: the handler's own input and whether attention was asked for. */
export interface Item {
  input: unknown;
  attention: boolean;
}

/** See the file comment. */
export interface Handler {
  /** Whether predictions can carry attention weights (`"attention": true` is a 400 otherwise). */
  attention: boolean;
  encode(value: unknown, i: number): unknown;
  run(items: readonly Item[]): { output?: unknown; attention?: unknown }[];
  /** The prediction when attention was not asked for (TF Serving's plain shape). */
  plain(p: unknown): unknown;
}

/** The handler of `card` over `model`; a string saying why when they do not fit. */
export function handlerFor(card: ServingCard, model: Model): Handler | string {
  if (card.kind === 'seq2seq-chars') {
    if (!(model instanceof Seq2Seq)) return `its serving.json is for a seq2seq model, but it saved a ${model.kind}`;
    return {
      attention: true,
      encode: (v, i) => encodeInstance(card, v, i),
      run: (items) => predictBatch(model, card, items.map((x) => x.input as never), items.map((x) => x.attention)),
      plain: (p) => (p as { output: string }).output,
    };
  }
  if (card.kind === 'forecaster') {
    if (!(model instanceof Seq2SeqForecaster)) return `its serving.json is for a forecaster, but it saved a ${model.kind}`;
    return {
      attention: true,
      encode: (v, i) => encodeSeries(card, v, i),
      run: (items) => predictSeries(model, card, items.map((x) => x.input as never), items.map((x) => x.attention)),
      plain: (p) => (p as { forecast: number[] }).forecast,
    };
  }
  if (card.kind === 'sequence-classifier') {
    if (!(model instanceof GruAttentionClassifier)) return `its serving.json is for a sequence classifier, but it saved a ${model.kind}`;
    return {
      attention: true,
      encode: (v, i) => encodeSequence(card, v, i),
      run: (items) => predictSequences(model, card, items.map((x) => x.input as never), items.map((x) => x.attention)),
      plain: (p) => (p as { probabilities: number[] }).probabilities,
    };
  }
  if (card.kind === 'video-frames') {
    if (!(model instanceof TemporalLatentModel)) return `its serving.json is for a video model, but it saved a ${model.kind}`;
    return {
      attention: false,
      encode: (v, i) => encodeClip(card, v, i),
      run: (items) => predictClips(model, card, items.map((x) => x.input as Float32Array)).map((frames) => ({ output: frames })),
      plain: (p) => (p as { output: unknown }).output,
    };
  }
  if (!(model instanceof SpamClassifier)) return `its serving.json is for a text classifier, but it saved a ${model.kind}`;
  return {
    attention: true,
    encode: (v, i) => encodeMail(card, v, i),
    run: (items) => predictMails(model, card, items.map((x) => x.input as never), items.map((x) => x.attention)),
    plain: (p) => (p as { probability: number }).probability,
  };
}
