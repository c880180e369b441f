/**
 * One training epoch of a GRU(64) + additive-attention-pooling classifier on 1,000 × 50
 * synthetic 3-class sequences (batch 32), on wasm and cpu side by side in one process, after a
 * warm-up on each. Prints a Markdown table.
 *
 *   pnpm tsx bench/backends.ts [--n 1000] [--steps 50] [--repeats 1] [--backends wasm,cpu]
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/ml/backend.ts';
import type { BackendInfo } from '../lib/ml/backend.ts';
import { generateSyntheticSequences } from '../lib/ml/data/synthetic-sequences.ts';
import { deriveSeed, seededInit } from '../lib/ml/random.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '50' },
    repeats: { type: 'string', default: '1' },
    backends: { type: 'string', default: 'wasm,cpu' },
    seed: { type: 'string', default: '42' },
  },
});
const n = Number(args.n);
const steps = Number(args.steps);
const repeats = Number(args.repeats);
const seed = Number(args.seed);
const backends = args.backends.split(',') as Array<'wasm' | 'cpu'>;
const batchSize = 32;

/** input → GRU(64, returnSequences) → additive attention pooling → dense(3) softmax. */
function buildModel(features: number): tf.LayersModel {
  const init = (name: string) => seededInit('glorotUniform', deriveSeed(seed, `bench/${name}`));
  const input = tf.input({ shape: [steps, features] });
  const h = tf.layers.gru({
    units: 64, returnSequences: true, kernelInitializer: init('gru'),
    recurrentInitializer: seededInit('orthogonal', deriveSeed(seed, 'bench/gru-rec')),
  }).apply(input) as tf.SymbolicTensor;
  // Bahdanau-style scores v·tanh(W h_t), softmax over time, then the weighted sum of h_t.
  const e = tf.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: init('att-w') }).apply(h) as tf.SymbolicTensor;
  const s = tf.layers.dense({ units: 1, useBias: false, kernelInitializer: init('att-v') }).apply(e) as tf.SymbolicTensor;
  const a = tf.layers.softmax({ axis: 1 }).apply(tf.layers.flatten().apply(s)) as tf.SymbolicTensor;
  const context = tf.layers.dot({ axes: [1, 1] }).apply([a, h]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init('out') }).apply(context) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

interface Row {
  info: BackendInfo;
  seconds: number[];
  /** Process CPU time per epoch: both backends run single-threaded here, so this is the compute
   * time even when other processes compete for the cores and stretch the wall clock. */
  cpuSeconds: number[];
  loss: number;
  acc: number;
}

async function measure(backend: 'wasm' | 'cpu'): Promise<Row> {
  const info = await initBackend({ backend, log: () => {} });
  const data = generateSyntheticSequences({ n, steps, seed });
  const x = tf.tensor3d(data.x, [data.n, data.steps, data.features]);
  const y = tf.tensor2d(data.y, [data.n, 1], 'int32').cast('float32');
  const model = buildModel(data.features);
  // Warm-up: first calls compile kernels and grow the wasm heap; keep them out of the timing.
  const wx = x.slice(0, batchSize * 2);
  const wy = y.slice(0, batchSize * 2);
  await model.fit(wx, wy, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let loss = NaN;
  let acc = NaN;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const h = await model.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    const c = process.cpuUsage(c0);
    seconds.push((performance.now() - t0) / 1000);
    cpuSeconds.push((c.user + c.system) / 1e6);
    loss = h.history['loss']![0] as number;
    acc = (h.history['acc'] ?? h.history['accuracy'])?.[0] as number;
  }
  tf.dispose([x, y, wx, wy]);
  model.dispose();
  return { info, seconds, cpuSeconds, loss, acc };
}

const rows: Row[] = [];
for (const b of backends) {
  console.error(`measuring ${b}…`);
  rows.push(await measure(b));
}
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
const base = rows[0] ? median(rows[0].seconds) : 1;
const cpuBase = rows[0] ? median(rows[0].cpuSeconds) : 1;
const batches = Math.ceil(n / batchSize);
console.log(`\nOne epoch, GRU(64) + additive attention, ${n} × ${steps} × 1, batch ${batchSize} (${batches} batches); ` +
  `tfjs ${tf.version.tfjs}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ` +
  `wasm simd ${String(simd)}, threads ${String(threads)}; load average ${os.loadavg()[0]!.toFixed(1)}; ` +
  `median of ${repeats} epoch(s) after a warm-up\n`);
const first = rows[0]?.info.name ?? '';
console.log(`| backend | package | epoch wall (s) | epoch CPU (s) | ms / batch (wall) | loss after epoch | acc | wall vs ${first} | CPU vs ${first} |`);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const s = median(r.seconds);
  const c = median(r.cpuSeconds);
  console.log(`| ${r.info.name} | ${r.info.package}@${r.info.version} | ${s.toFixed(2)} | ${c.toFixed(2)} | ` +
    `${(1000 * s / batches).toFixed(1)} | ${r.loss.toFixed(4)} | ${r.acc.toFixed(3)} | ×${(s / base).toFixed(2)} | ×${(c / cpuBase).toFixed(2)} |`);
}
