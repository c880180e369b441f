/**
 * Exercise 3 stage: one variant of the temporal latent model on data/moving-digits →
 * models/ex3-<variant>, reports/ex3-<variant>/. `--variant baseline` is `train-ex3`; the
 * `ablate` matrix runs `full` (the improved model) and each `no-<module>` ablation.
 */
import path from 'node:path';
import { reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { EX3_STAGE_PARAMS, run } from '../lib/ml/experiments/ex3.ts';
import { EX3_VARIANTS, isEx3Variant } from '../lib/ml/models/temporal-latent.ts';
import { checkedParams } from './checked-params.ts';

const flag = process.argv.indexOf('--variant');
const variant = flag === -1 ? undefined : process.argv[flag + 1];
if (variant === undefined || !isEx3Variant(variant)) {
  console.error(`train-ex3: --variant must be one of ${EX3_VARIANTS.join(', ')}; got ${variant ?? 'nothing'}`);
  process.exit(2);
}
const p = checkedParams(EX3_STAGE_PARAMS);
const dir = root();
await initBackend();
const { metrics } = await run(
  { seed: p.seed, dataDir: path.join(dir, 'data/moving-digits'), variant, ...p.ex3 },
  { outDir: path.join(dir, `reports/ex3-${variant}`), modelDir: path.join(dir, `models/ex3-${variant}`), onEpoch: reportEpoch, onTiming: reportTiming },
);
const range = (ok: boolean): string => (ok ? 'in range' : 'OUTSIDE the course range');
console.log(
  `ex3-${variant}: ${metrics.context_frames} → ${metrics.future_frames} frames, test_mse ${metrics.test_mse.toFixed(4)} (course 0.01–0.02, ${range(metrics.in_course_range.test_mse)}), ` +
    `late-frame mse ${metrics.test_mse_late.toFixed(4)}, copy-last ${metrics.copy_last_mse.toFixed(4)}, mean image ${metrics.mean_image_mse.toFixed(4)}, ` +
    `${metrics.parameters} parameters (1–2 M, ${range(metrics.in_course_range.parameters)}), best epoch ${metrics.best_epoch}`,
);
