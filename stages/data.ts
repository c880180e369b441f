/**
 * Data stage: `tsx stages/data.ts <name>` writes the data set `<name>` (one of DATA_SETS) into
 * `data/<name>`, with options from `data.<key>` and the global `seed`.
 */
import path from 'node:path';
import { params, progress, root } from '../lib/engine/stage.ts';
import { DATA_PARAM_KEYS, checkDataOptions, isDataSetName, run } from '../lib/ml/experiments/data.ts';

const name = process.argv[2] ?? '';
if (!isDataSetName(name)) {
  console.error(`usage: tsx stages/data.ts <${Object.keys(DATA_PARAM_KEYS).join('|')}>`);
  process.exit(2);
}
const p = params<{ seed: number; data: Record<string, Record<string, unknown>> }>();
const options = p.data[DATA_PARAM_KEYS[name]] ?? {};
const checked = checkDataOptions(name, options);
if (!checked.ok) {
  console.error(`data-${name}: invalid params (pipeline.yaml); nothing was written:\n${checked.errors.map((e) => `  ${e}`).join('\n')}`);
  process.exit(2);
}
progress(`generating ${name}`);
const result = await run({ name, seed: p.seed, options }, { outDir: path.join(root(), 'data', name) });
console.log(`${name}: ${result.n} examples (train ${result.split.train}, val ${result.split.val}, test ${result.split.test})`);
