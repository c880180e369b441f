/**
 * Where an epoch of a `bench:train` model goes, by tfjs kernel and WebAssembly kernel
 * (bench/lib/kernel-profile.ts); the rest of the epoch (JS: the tape, layers, the optimiser
 * loop, GC) is printed as "outside kernels". One process, wall time: run it on a quiet machine.
 *
 *   pnpm tsx bench/profile-train.ts [--model bilstm-s2s|gru-attn] [--n 1000] [--top 25] [--shapes]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/ml/backend.ts';
import { installKernelProfile, kernelProfileTable, startKernelProfile, stopKernelProfile } from './lib/kernel-profile.ts';
import { batchSize, buildModel, makeData, type ModelName } from './lib/train-models.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'bilstm-s2s' },
    n: { type: 'string', default: '1000' },
    top: { type: 'string', default: '25' },
    shapes: { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
  },
});
const model = args.model as ModelName;
const n = Number(args.n);
const seed = Number(args.seed);

await initBackend({ log: () => {} });
const data = makeData(model, n, seed);
const m = data.y.length / (data.outSteps ?? 1);
const net = buildModel(model, 'fused', seed);
const xs = tf.tensor3d(data.x, [m, 50, 1]);
const inputs = data.decIn ? [xs, tf.tensor3d(data.decIn, [m, 10, 1])] : xs;
const ys = data.outSteps ? tf.tensor3d(data.y, [m, 10, 1]) : tf.tensor2d(data.y, [m, 1]);

installKernelProfile({ shapes: args.shapes });

// Warm-up epoch, then one profiled epoch.
await net.fit(inputs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0, yieldEvery: 'never' });
startKernelProfile();
await net.fit(inputs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0, yieldEvery: 'never' });
const total = stopKernelProfile();

const fmt = (ms: number): string => ms.toFixed(1);
console.log(`\n${model}, ${m} samples, batch ${batchSize}: one epoch ${fmt(total)} ms wall\n`);
console.log(kernelProfileTable(Number(args.top), total));
tf.dispose([xs, inputs, ys]);
net.dispose();
