/** Metrics over plain arrays (no TensorFlow.js): classification, regression, sequences, attention, BLEU. */
export * from './classification.ts';
export * from './regression.ts';
export * from './forecast-baselines.ts';
export * from './sequence.ts';
export * from './attention.ts';
export * from './bleu.ts';
export * from './tokenizers.ts';
