/** Exercise 1 stage: GRU + attention classifier on data/synthetic → models/ex1, reports/ex1/. */
import path from 'node:path';
import { reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { EX1_STAGE_PARAMS, run } from '../lib/ml/experiments/ex1.ts';
import { checkedParams } from './checked-params.ts';

const p = checkedParams(EX1_STAGE_PARAMS);
const dir = root();
await initBackend();
const { metrics } = await run(
  { seed: p.seed, dataDir: path.join(dir, 'data/synthetic'), ...p.ex1 },
  { outDir: path.join(dir, 'reports/ex1'), modelDir: path.join(dir, 'models/ex1'), onEpoch: reportEpoch, onTiming: reportTiming },
);
console.log(
  `ex1: test_accuracy ${metrics.test_accuracy.toFixed(4)} (course: 0.85–0.90; this split's ceiling ${metrics.test_ceiling.toFixed(4)}), ` +
    `attention_span ${metrics.attention_span.toFixed(2)}, ` +
    `best epoch ${metrics.best_epoch}/${metrics.epochs} on ${metrics.backend.name}`,
);
