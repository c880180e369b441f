/** Deterministic data sets for the exercises, with their on-disk bundles, splits and vocabularies. */
export * from './splits.ts';
export * from './io.ts';
export * from './vocab.ts';
export * from './synthetic-sequences.ts';
export * from './sine-trend.ts';
export * from './glyphs.ts';
export * from './moving-mnist.ts';
export * from './dates.ts';
export * from './g2p.ts';
export * from './spam.ts';
