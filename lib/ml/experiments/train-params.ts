/**
 * The training params every experiment shares, declared once: each experiment's spec spreads
 * {@link TRAIN_FIELDS}, and {@link fitSettings} turns them into the trainer's options.
 */
import { LR_SCHEDULE_KINDS, type LrSchedule } from '../train/index.ts';
import { type Field, count, fraction, num, obj, oneOf, positive } from '../params.ts';

const SCHEDULES = {
  constant: obj({ kind: oneOf(['constant']), warmupSteps: count(0) }),
  cosine: obj({ kind: oneOf(['cosine']), warmupSteps: count(0), minFactor: fraction() }),
  step: obj({ kind: oneOf(['step']), warmupSteps: count(0), everyEpochs: count(), factor: num({ above: 0, max: 1 }) }),
} as const;

/** A learning-rate schedule (`lib/ml/train/schedule.ts`): its `kind` picks which keys it needs. */
export const lrSchedule = (): Field<LrSchedule> => ({
  check: (v, path, errors) => {
    const kind = (v as { kind?: unknown } | null)?.kind;
    const spec = typeof kind === 'string' && kind in SCHEDULES ? SCHEDULES[kind as keyof typeof SCHEDULES] : undefined;
    if (!spec) {
      errors.push(`${path}.kind: expected one of ${LR_SCHEDULE_KINDS.join(', ')}, got ${JSON.stringify(kind ?? null)}`);
      return undefined;
    }
    return spec.check(v, path, errors) as LrSchedule | undefined;
  },
});

/** The seed every stage gets. */
export const SEED = count(0);

/** Training params of every experiment (under its section, or its `train` subsection). */
export const TRAIN_FIELDS = {
  epochs: count(),
  batchSize: count(),
  /** Adam's base learning rate. */
  lr: positive(),
  /** Global-norm gradient clip; 0 = off. */
  clipNorm: num({ min: 0 }),
  schedule: lrSchedule(),
  /** Stop after this many epochs without a better validation score; 0 = never stop early. */
  patience: count(0),
};

/**
 * A member's own budget inside a shared training section (`translate.train.transformerBudget`, `convBudget`,
 * `spam.train.bowBudget`): it replaces epochs, lr and schedule for that one member, whose
 * model trains at a different speed from its siblings'.
 */
export const budgetParams = () => obj({ epochs: TRAIN_FIELDS.epochs, lr: TRAIN_FIELDS.lr, schedule: TRAIN_FIELDS.schedule });

/** The trainer's view of the training params. */
export function fitSettings(p: { epochs: number; batchSize: number; schedule: LrSchedule; patience: number }): {
  epochs: number; batchSize: number; schedule: LrSchedule; patience?: number;
} {
  return { epochs: p.epochs, batchSize: p.batchSize, schedule: p.schedule, ...(p.patience > 0 ? { patience: p.patience } : {}) };
}
