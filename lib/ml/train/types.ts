/** The shapes training reports in: per-epoch progress and learning-curve points. */

/** Per-epoch progress: a stage forwards it to the runner's live view. */
export type OnEpoch = (epoch: number, epochs: number, values: Record<string, number>) => void;

// One learning-curve point: the history artifact's row type, so the trainer and the file agree.
export type { EpochRecord } from '../artifacts/history.ts';
