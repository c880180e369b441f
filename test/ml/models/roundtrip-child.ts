/**
 * Run by roundtrip.test.ts in a fresh process: load the model saved in argv[2] by kind (the
 * kind registry, no class named here) and print its probe as JSON on stdout.
 */
import { initBackend } from '../../../lib/ml/backend.ts';
import { loadModel } from '../../../lib/ml/models/kinds.ts';
import { probe } from './roundtrip-cases.ts';

await initBackend({ backend: 'wasm', log: () => {} });
const model = await loadModel(process.argv[2]!);
process.stdout.write(`${JSON.stringify({ kind: model.kind, probe: probe(model) })}\n`);
model.dispose();
