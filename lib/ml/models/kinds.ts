/**
 * The kind registry: every model kind the pipeline trains, by the name its `config.json` saves,
 * so that {@link loadModel} rebuilds any saved model without knowing its class beforehand.
 * A new model kind is one line here.
 */
import { GruAttentionClassifier } from './gru-attention-classifier.ts';
import { Seq2SeqForecaster } from './forecaster.ts';
import { type Model, type ModelKind, CONFIG_JSON, readSavedHeader, restoreSaved } from './model.ts';
import { Seq2Seq } from './seq2seq.ts';
import { SpamClassifier } from './spam-classifier.ts';
import { TemporalLatentModel } from './temporal-latent.ts';
import path from 'node:path';

/** Every saved kind → its class. */
export const MODEL_KINDS: ReadonlyMap<string, ModelKind> = new Map(
  [GruAttentionClassifier, Seq2SeqForecaster, Seq2Seq, SpamClassifier, TemporalLatentModel].map((c) => [c.kind, c as ModelKind]),
);

/** Rebuild the model saved in `dir`, whatever its kind. */
export async function loadModel(dir: string): Promise<Model> {
  const header = await readSavedHeader(dir);
  const cls = MODEL_KINDS.get(header.kind);
  if (!cls) {
    throw new Error(`${path.join(dir, CONFIG_JSON)}: unknown model kind "${header.kind}" (known: ${[...MODEL_KINDS.keys()].join(', ')})`);
  }
  return restoreSaved(dir, () => cls.fromConfig(header.config as never));
}
