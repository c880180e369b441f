/** Sweep member stage (`sweep@<lr>-<units>`): exercise 1's model at one grid point. */
import path from 'node:path';
import { item, reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { SWEEP_STAGE_PARAMS, memberName, runMember } from '../lib/ml/experiments/sweep.ts';
import { checkedParams } from './checked-params.ts';

const p = checkedParams(SWEEP_STAGE_PARAMS);
const { lr, units } = item<{ lr: number; units: number }>();
const member = memberName(lr, units);
const dir = root();
await initBackend();
const { metrics } = await runMember(
  { ...p.ex1, seed: p.seed, dataDir: path.join(dir, 'data/synthetic'), lr, units, epochs: p.sweep.epochs },
  { outDir: path.join(dir, 'reports/sweep', member), modelDir: path.join(dir, 'models/sweep', member), onEpoch: reportEpoch, onTiming: reportTiming },
);
console.log(`sweep ${member}: val_accuracy ${metrics.val_accuracy.toFixed(4)}, test_accuracy ${metrics.test_accuracy.toFixed(4)}`);
