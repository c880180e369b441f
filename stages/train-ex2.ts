/** Exercise 2 stage: Bi-LSTM + Bahdanau forecaster on data/sine-trend → models/ex2, reports/ex2/. */
import path from 'node:path';
import { reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { EX2_STAGE_PARAMS, run } from '../lib/ml/experiments/ex2.ts';
import { checkedParams } from './checked-params.ts';

const p = checkedParams(EX2_STAGE_PARAMS);
const dir = root();
await initBackend();
const { metrics } = await run(
  { seed: p.seed, dataDir: path.join(dir, 'data/sine-trend'), ...p.ex2 },
  { outDir: path.join(dir, 'reports/ex2'), modelDir: path.join(dir, 'models/ex2'), onEpoch: reportEpoch, onTiming: reportTiming },
);
console.log(
  `ex2: test_mse ${metrics.test_mse.toFixed(4)} (noise floor ${metrics.noise_floor_mse.toFixed(4)}, last value ${metrics.baseline_last_mse.toFixed(4)}), ` +
    `test_mae ${metrics.test_mae.toFixed(4)} (course: 0.15–0.20), ${metrics.attention} attention: ` +
    `90 % of the weight on ${metrics.attention_mass_span.toFixed(1)} steps, avg position ${metrics.avg_attention_position.toFixed(1)}`,
);
