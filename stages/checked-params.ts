/**
 * Stage side of `lib/ml/params.ts`: read this stage's params and validate them
 * against the experiment's spec before anything is trained. Invalid params end the stage with
 * exit code 2 and every problem named by its pipeline.yaml path.
 */
import { params, stageName } from '../lib/engine/stage.ts';
import { type Field, checkParams } from '../lib/ml/params.ts';

/** The validated params, or exit 2 with the list of problems. */
export function checkedParams<T>(spec: Field<T>): T {
  const checked = checkParams(spec, params<unknown>());
  if (checked.ok) return checked.value;
  console.error(`${stageName()}: invalid params (pipeline.yaml); nothing was trained:\n${checked.errors.map((e) => `  ${e}`).join('\n')}`);
  process.exit(2);
}
