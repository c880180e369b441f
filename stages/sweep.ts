/** Sweep member stage (`sweep@<lr>-<units>`): exercise 1's model at one grid point. */
import path from 'node:path';
import { item, params, reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { memberName, runMember } from '../lib/ml/experiments/sweep.ts';

const p = params<{ seed: number; ex1: { batchSize: number; attentionExamples: number }; sweep: { epochs: number } }>();
const { lr, units } = item<{ lr: number; units: number }>();
const member = memberName(lr, units);
const dir = root();
await initBackend();
const { metrics } = await runMember(
  {
    seed: p.seed, dataDir: path.join(dir, 'data/synthetic'), lr, units, epochs: p.sweep.epochs,
    batchSize: p.ex1.batchSize, attentionExamples: p.ex1.attentionExamples,
  },
  { outDir: path.join(dir, 'reports/sweep', member), modelDir: path.join(dir, 'models/sweep', member), onEpoch: reportEpoch, onTiming: reportTiming },
);
console.log(`sweep ${member}: val_accuracy ${metrics.val_accuracy.toFixed(4)}, test_accuracy ${metrics.test_accuracy.toFixed(4)}`);
