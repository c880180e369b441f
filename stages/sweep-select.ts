/** Picks the sweep member with the best validation accuracy → models/sweep-best, reports/sweep-best/. */
import path from 'node:path';
import { root } from '../lib/engine/stage.ts';
import { select } from '../lib/registry/sweep-select.ts';

const dir = root();
const r = await select(
  { reportsDir: path.join(dir, 'reports/sweep'), modelsDir: path.join(dir, 'models/sweep'), metric: 'val_accuracy' },
  { outDir: path.join(dir, 'reports/sweep-best'), modelDir: path.join(dir, 'models/sweep-best') },
);
for (const m of r.members) {
  console.log(`${m.member === r.best ? '*' : ' '} ${m.member}: ${r.metric} ${m.score.toFixed(4)}, test_accuracy ${m.test_accuracy.toFixed(4)}`);
}
