/** The one training loop, its learning-rate schedules and the shapes it reports in. */
export { fit, batches, type FitOptions, type FitResult, type Monitor, type Trainable } from './trainer.ts';
export { learningRateAt, LR_SCHEDULE_KINDS, type LrSchedule, type StepPosition } from './schedule.ts';
export { shuffleStream, type ShuffleStream } from './shuffle-stream.ts';
export type { EpochRecord, OnEpoch } from './types.ts';
