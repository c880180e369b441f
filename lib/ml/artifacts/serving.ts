/**
 * `serving.json`, saved beside a model's weights: the preprocessing a server needs to turn a
 * request into the model's input and its output back into text — the vocabularies, the input
 * length, how output tokens join. Without it a saved model is weights without a way to feed
 * them: the data bundle that had the vocabularies is not part of a registered version.
 */
import path from 'node:path';
import { Fields, readJson, writeJson } from './json.ts';

/** The file name inside a saved model's directory. */
export const SERVING_JSON = 'serving.json';

/** A character-level sequence-to-sequence model (date translator, g2p). */
export interface Seq2SeqServing {
  kind: 'seq2seq-chars';
  model: string;
  /** What one instance is, for the API description: "a date in any of the trained formats". */
  input: string;
  /** What one prediction is: "an ISO date". */
  output: string;
  /** Source vocabulary, specials first (ids are indices). */
  sourceTokens: string[];
  /** Target vocabulary, specials first. */
  targetTokens: string[];
  /** Longest source (characters) the model was trained on; longer instances are refused. */
  maxSourceLen: number;
  /** Decoding stops after this many output tokens. */
  maxOutputLen: number;
  /** Source text → characters after this transform ('lower' for g2p's lowercase words). */
  sourceCase: 'keep' | 'lower';
  /** How output tokens join into a prediction: '' for dates, ' ' for phonemes. */
  outputJoin: string;
}

/** A word-level binary text classifier (spam): mail text → probability. */
export interface TextClassifierServing {
  kind: 'text-binary';
  model: string;
  input: string;
  output: string;
  /** Vocabulary, specials (`<pad>`, `<unk>`) first; unknown words map to `<unk>`. */
  tokens: string[];
  /** Token sequence length the model reads (longer mails are truncated, as in training). */
  maxLen: number;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
  /** The tokenizer's option, as at training time. */
  keepSubject: boolean;
  /** Probability at or above which a mail is called spam. */
  threshold: number;
}

/** A classifier of fixed-length numeric sequences (exercise 1): steps × features → class probabilities. */
export interface SequenceClassifierServing {
  kind: 'sequence-classifier';
  model: string;
  input: string;
  output: string;
  steps: number;
  features: number;
  /** Class names by index. */
  classes: string[];
}

/**
 * A forecaster of a univariate series (exercise 2): the last `inputSteps` values (raw units) →
 * the next `horizon`. The model sees them z-normalised with `norm` and, with `relative`, shifted
 * so that the window's last value is 0; the forecast is shifted and scaled back.
 */
export interface ForecasterServing {
  kind: 'forecaster';
  model: string;
  input: string;
  output: string;
  inputSteps: number;
  horizon: number;
  relative: boolean;
  norm: { mean: number; std: number };
}

/**
 * A model of clips of square frames (exercise 3): `inputFrames` frames of `height` × `width`
 * pixel intensities in [0, 1] → `outputFrames` frames of the same size. Reconstruction has
 * as many output frames as input frames; prediction of future frames from context frames has
 * its own counts, which is why both are saved rather than read off the data.
 */
export interface VideoServing {
  kind: 'video-frames';
  model: string;
  input: string;
  output: string;
  inputFrames: number;
  outputFrames: number;
  height: number;
  width: number;
}

/** Everything `serving.json` can hold. */
export type ServingCard = Seq2SeqServing | TextClassifierServing | SequenceClassifierServing | ForecasterServing | VideoServing;

/** Writes `serving.json` into the model directory `modelDir`. */
export function writeServing(modelDir: string, card: ServingCard): Promise<void> {
  return writeJson(path.join(modelDir, SERVING_JSON), card);
}

/** Reads and checks `serving.json` of the model directory `modelDir`. */
export async function readServing(modelDir: string): Promise<ServingCard> {
  const file = path.join(modelDir, SERVING_JSON);
  const f = new Fields(file);
  const { doc, model } = f.root(await readJson(file));
  const kind = f.str(doc.kind, 'kind');
  const side = (v: unknown, field: string): 'pre' | 'post' => {
    if (v !== 'pre' && v !== 'post') throw new Error(`${file}: field "${field}" should be "pre" or "post".`);
    return v;
  };
  const common = { model, input: f.str(doc.input, 'input'), output: f.str(doc.output, 'output') };
  if (kind === 'text-binary') {
    if (typeof doc.keepSubject !== 'boolean') throw new Error(`${file}: field "keepSubject" should be true or false.`);
    return {
      kind, ...common, tokens: f.strs(doc.tokens, 'tokens'), maxLen: f.num(doc.maxLen, 'maxLen'),
      padding: side(doc.padding, 'padding'), truncating: side(doc.truncating, 'truncating'), keepSubject: doc.keepSubject, threshold: f.num(doc.threshold, 'threshold'),
    };
  }
  if (kind === 'forecaster') {
    if (typeof doc.relative !== 'boolean') throw new Error(`${file}: field "relative" should be true or false.`);
    const norm = f.obj(doc.norm, 'norm');
    return {
      kind, ...common, inputSteps: f.num(doc.inputSteps, 'inputSteps'), horizon: f.num(doc.horizon, 'horizon'), relative: doc.relative,
      norm: { mean: f.num(norm.mean, 'norm.mean'), std: f.num(norm.std, 'norm.std') },
    };
  }
  if (kind === 'sequence-classifier') {
    return { kind, ...common, steps: f.num(doc.steps, 'steps'), features: f.num(doc.features, 'features'), classes: f.strs(doc.classes, 'classes') };
  }
  if (kind === 'video-frames') {
    return {
      kind, ...common, inputFrames: f.num(doc.inputFrames, 'inputFrames'), outputFrames: f.num(doc.outputFrames, 'outputFrames'),
      height: f.num(doc.height, 'height'), width: f.num(doc.width, 'width'),
    };
  }
  if (kind !== 'seq2seq-chars') throw new Error(`${file}: field "kind" should be "seq2seq-chars", "text-binary", "sequence-classifier", "forecaster" or "video-frames", got "${kind}".`);
  const sourceCase = f.str(doc.sourceCase, 'sourceCase');
  if (sourceCase !== 'keep' && sourceCase !== 'lower') throw new Error(`${file}: field "sourceCase" should be "keep" or "lower".`);
  return {
    kind, ...common, sourceCase,
    sourceTokens: f.strs(doc.sourceTokens, 'sourceTokens'),
    targetTokens: f.strs(doc.targetTokens, 'targetTokens'),
    maxSourceLen: f.num(doc.maxSourceLen, 'maxSourceLen'),
    maxOutputLen: f.num(doc.maxOutputLen, 'maxOutputLen'),
    outputJoin: f.str(doc.outputJoin, 'outputJoin'),
  };
}
