/**
 * The hyperparameter sweep over exercise 1's model: each member is an exercise-1 run with its
 * own learning rate and units. `sweep-select.ts` then picks the best member by validation score.
 */
import type { RunContext } from './common.ts';
import { EX1_PARAMS, type Ex1Params, type Ex1Result, run as runEx1 } from './ex1.ts';
import { type Infer, type ParamCheck, checkParams, count, obj } from '../params.ts';
import { SEED } from './train-params.ts';

/** The params of a `sweep` member stage: exercise 1's, with the sweep's own epochs. */
export const SWEEP_STAGE_PARAMS = obj({ seed: SEED, ex1: EX1_PARAMS, sweep: obj({ epochs: count() }) });

/** Check a `sweep` member stage's params (see `lib/ml/params.ts`). */
export const validateSweepParams = (raw: unknown): ParamCheck<Infer<typeof SWEEP_STAGE_PARAMS>> => checkParams(SWEEP_STAGE_PARAMS, raw);

/** One member's params: exercise 1's, with the grid point. */
export type SweepMemberParams = Omit<Ex1Params, 'lr' | 'units' | 'name'> & { lr: number; units: number };

/** The member's name as used in paths and stage names (`0.003-64`). */
export function memberName(lr: number, units: number): string {
  return `${lr}-${units}`;
}

/** Trains one grid point; outputs go where `ctx` says (`reports/sweep/<member>`, `models/sweep/<member>`). */
export function runMember(params: SweepMemberParams, ctx: RunContext): Promise<Ex1Result> {
  return runEx1({ ...params, name: `sweep/${memberName(params.lr, params.units)}` }, ctx);
}
