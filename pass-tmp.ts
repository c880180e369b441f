import { initBackend } from './lib/ml/backend.ts';
import { loadModel } from './lib/ml/models/kinds.ts';
import { readServing } from './lib/ml/artifacts/serving.ts';
import { encodeInstance, predictBatch } from './lib/serve/seq2seq.ts';
await initBackend({ log: () => {} });
const dir = '/tmp/d-serve-root/models/translate/general';
const model = await loadModel(dir) as any; const card = await readServing(dir) as any;
const x = encodeInstance(card, 'June 3, 2021', 0);
for (const b of [1, 1, 4, 16, 32, 64, 1, 32]) {
  const inputs = Array(b).fill(x); const att = Array(b).fill(false);
  const n = Math.max(5, Math.round(200 / b));
  const t0 = performance.now(); for (let i = 0; i < n; i++) predictBatch(model, card, inputs, att); const dt = (performance.now() - t0) / n;
  console.log(`batch ${b}: ${dt.toFixed(2)} ms/pass, ${(dt / b).toFixed(3)} ms/instance`);
}
