/** Theory stage: scaled vs unscaled dot-product attention for growing d_k → reports/theory/scaling.json. */
import path from 'node:path';
import { reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { THEORY_STAGE_PARAMS, run } from '../lib/ml/experiments/theory.ts';
import { checkedParams } from './checked-params.ts';

const p = checkedParams(THEORY_STAGE_PARAMS);
const r = await run({ seed: p.seed, ...p.theory }, { outDir: path.join(root(), 'reports/theory'), onEpoch: reportEpoch, onTiming: reportTiming });
for (const [i, d] of r.dims.entries()) {
  const s = r.scaled[i]!;
  const u = r.unscaled[i]!;
  console.log(`d_k ${d}: entropy ${s.entropy.toFixed(3)} vs ${u.entropy.toFixed(3)}, max weight ${s.max_weight.toFixed(3)} vs ${u.max_weight.toFixed(3)}, grad ‖∂L/∂Q‖ ${s.grad_norm_q.toExponential(2)} vs ${u.grad_norm_q.toExponential(2)} (scaled vs unscaled)`);
}
