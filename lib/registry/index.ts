/**
 * The model registry: versions of named models with metrics, the producing stage's fingerprint
 * and file digests; a `production` alias moved by gated promotion, manual promotion or rollback.
 * No TensorFlow.js and no engine imports (so lib/ml may use it): the CLI (`pipeline models`) and the promote stage
 * both use it.
 */
export * from './types.ts';
export * from './registry.ts';
export * from './store.ts';
export * from './lock.ts';
export * from './objects.ts';
