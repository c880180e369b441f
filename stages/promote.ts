/**
 * Promote stage: registers every model of reports/compare.json in models/registry.json and
 * moves `production` where the gate passes and the candidate beats the current version. Its
 * only declared out is reports/promotion.json; the registry (not an out: the engine would move
 * it aside during the run) is written last and idempotently.
 */
import path from 'node:path';
import { params, root } from '../lib/engine/stage.ts';
import { run } from '../lib/registry/promote.ts';

const p = params<{ promote: { minAccuracy: number; maxMse: number; tasks?: Record<string, string[]> } }>();
const dir = root();
const { decisions } = await run(
  { root: dir, minAccuracy: p.promote.minAccuracy, maxMse: p.promote.maxMse, ...(p.promote.tasks ? { tasks: p.promote.tasks } : {}) },
  { outDir: path.join(dir, 'reports') },
);
for (const d of decisions) {
  console.log(`${d.model} v${d.version}${d.registered ? ' (new)' : ''}: ${d.promoted ? 'PROMOTED' : 'kept'} — ${d.reason}`);
}
