/** Encoder–decoder models: recurrent cells, encoders, attention steps, seq2seq and forecaster. */
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
export { clipByGlobalNorm } from './train-utils.ts';
