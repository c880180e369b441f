/**
 * One typed module per output file of the experiments: the type, a writer and a validating
 * reader. The experiments write through these and `lib/report` reads through them, so a format
 * is declared once.
 */
export * from './json.ts';
export * from './metrics.ts';
export * from './history.ts';
export * from './attention.ts';
export * from './samples.ts';
export * from './forecasts.ts';
export * from './serving.ts';
export * from './ex3-metrics.ts';
export * from './predictions.ts';
