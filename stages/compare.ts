/** Compare stage: every reports/**\/metrics.json in one table → reports/compare.json, reports/compare.md. */
import path from 'node:path';
import { lockFile, root } from '../lib/engine/stage.ts';
import { run } from '../lib/registry/compare.ts';

const dir = root();
const { models } = await run({ root: dir, lockFile: lockFile() }, { outDir: path.join(dir, 'reports') });
for (const m of models) {
  console.log(`${m.model}: ${m.primary ? `${m.primary.metric} ${m.primary.value}` : 'no primary metric'} (${m.stage ?? 'no lock entry'})`);
}
