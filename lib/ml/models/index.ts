/**
 * The models: the one model contract (`model.ts`) and the kind registry (`kinds.ts`), every model
 * kind the pipeline trains, and their parts (recurrent cells, encoders, attention steps).
 */
export { makeRnn, runRnn, type Rnn, type RnnKind, type RnnState, type MakeRnnOptions, type RunRnnOptions } from './rnn.ts';
export {
  rnnEncoder, convEncoder, maskedMean, makeInputReader, type Encoder, type EncoderOutput, type EncoderInputOptions,
  type RnnEncoderOptions, type ConvEncoderOptions,
} from './encoders.ts';
export { transformerEncoder, type TransformerEncoderOptions } from './transformer-encoder.ts';
export {
  makeAttention, dotAttentionStep, ATTENTION_KINDS, type AttentionKind, type AttentionStep, type AttentionOutput,
  type MakeAttentionOptions,
} from './attention-step.ts';
export { makeBridge } from './bridge.ts';
export { Seq2Seq, type Seq2SeqEncoding, makeEncoder, padTokens, type Seq2SeqConfig, type Seq2SeqBatch, type Seq2SeqState, type EncoderSpec } from './seq2seq.ts';
export { Seq2SeqForecaster, type ForecasterConfig, type ForecastBatch, type Forecast } from './forecaster.ts';
export {
  WeightStore, saveWeights, loadWeights, disposeWeights, variablesOf, type NamedWeight, type HasWeights,
  WEIGHTS_JSON, WEIGHTS_BIN,
} from './weights.ts';
export { clipByGlobalNorm, globalNorm } from './train-utils.ts';
export {
  Model, loadModelAs, readSavedHeader, CONFIG_JSON, type BaseModelConfig, type TrainingSettings, type StepResult,
  type WeightSnapshot, type SavedModelHeader, type ModelKind,
} from './model.ts';
export { loadModel, MODEL_KINDS } from './kinds.ts';
export { GruAttentionClassifier, type GruAttentionClassifierConfig, type ClassifierBatch, type ClassifierOutput } from './gru-attention-classifier.ts';
export { SpamClassifier, SPAM_CELLS, type SpamCell, type SpamClassifierConfig, type SpamBatch } from './spam-classifier.ts';
export {
  TemporalLatentModel, EX3_VARIANTS, isEx3Variant, variantModules, type Ex3Variant, type TemporalLatentConfig,
} from './temporal-latent.ts';
