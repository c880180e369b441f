/**
 * Learning-rate schedules, as a pure function of the step: the trainer asks for the rate of each
 * step and sets it on the model, so a schedule has no state to save or to get out of step.
 *
 * Every schedule may start with a linear warmup (the transformer encoder's post-norm blocks
 * need one at high rates: Vaswani et al. 2017, §5.3; Xiong et al. 2020), then
 * - `constant`: the base rate;
 * - `cosine`: half a cosine from the base rate down to `minFactor` × base at the last step
 *   (Loshchilov & Hutter 2017, without restarts);
 * - `step`: the base rate times `factor` after every `everyEpochs` epochs.
 */

/** See the file comment. `warmupSteps` 0 = no warmup. */
export type LrSchedule =
  | { kind: 'constant'; warmupSteps: number }
  | { kind: 'cosine'; warmupSteps: number; minFactor: number }
  | { kind: 'step'; warmupSteps: number; everyEpochs: number; factor: number };

/** The schedule names, for validation messages. */
export const LR_SCHEDULE_KINDS = ['constant', 'cosine', 'step'] as const;

/** Where in training a step is. */
export interface StepPosition {
  /** 0-based index of the step over the whole run. */
  step: number;
  /** Steps in the whole run. */
  totalSteps: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
}

/** The learning rate of one step under `schedule` for base rate `base`. */
export function learningRateAt(schedule: LrSchedule, base: number, at: StepPosition): number {
  const { step, totalSteps, stepsPerEpoch } = at;
  // Step 0 trains at base/warmup, the last warmup step at the full rate: no step is wasted at 0.
  const warm = schedule.warmupSteps > 0 && step < schedule.warmupSteps ? (step + 1) / schedule.warmupSteps : 1;
  switch (schedule.kind) {
    case 'constant':
      return base * warm;
    case 'cosine': {
      const span = Math.max(1, totalSteps - schedule.warmupSteps - 1);
      const progress = Math.min(1, Math.max(0, step - schedule.warmupSteps) / span);
      const floor = schedule.minFactor;
      return base * warm * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
    case 'step': {
      const epoch = Math.floor(step / Math.max(1, stepsPerEpoch));
      return base * warm * schedule.factor ** Math.floor(epoch / schedule.everyEpochs);
    }
  }
}
