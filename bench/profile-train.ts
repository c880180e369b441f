/**
 * Where an epoch of a `bench:train` model goes, by tfjs kernel: every `runKernel` call (forward
 * and gradient kernels alike) is timed, and so are the fused recurrences' WebAssembly calls.
 * Nested calls are charged to the outermost one only, so the rows add up to the time
 * accounted for; the rest of the epoch (JS: the tape, layers, the optimiser loop, GC) is
 * printed as "outside kernels". One process, wall time, so run it on a quiet machine.
 *
 *   pnpm tsx bench/profile-train.ts [--model bilstm-s2s|gru-attn] [--n 1000] [--top 25] [--shapes]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/ml/backend.ts';
import { kernelArena } from '../lib/ml/wasm/kernels.ts';
import { batchSize, buildModel, makeData, type ModelName } from './lib/train-models.ts';
import { markdownTable } from './lib/timing.ts';

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

interface Row { ms: number; calls: number }
const rows = new Map<string, Row>();
let depth = 0;
let on = false;
function timed<T>(name: string, f: () => T): T {
  if (!on || depth > 0) return f();
  depth++;
  const t0 = performance.now();
  try {
    return f();
  } finally {
    const row = rows.get(name) ?? { ms: 0, calls: 0 };
    row.ms += performance.now() - t0;
    row.calls++;
    rows.set(name, row);
    depth--;
  }
}

const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
const runKernel = engine.runKernel.bind(engine);
/** With --shapes, rows are split by the input shapes too. */
function label(name: string, inputs: unknown): string {
  if (!args.shapes || typeof inputs !== 'object' || inputs === null) return name;
  const shapes = Object.values(inputs as Record<string, { shape?: number[] }>).map((t) => `[${t?.shape?.join('×') ?? ''}]`);
  return `${name} ${shapes.join(' ')}`;
}
engine.runKernel = (name: string, ...rest: unknown[]) => timed(label(name, rest[0]), () => runKernel(name, ...rest));
const arena = kernelArena() as unknown as { k: Record<string, unknown> };
const wasm = arena.k;
arena.k = Object.fromEntries(Object.entries(wasm).map(([key, v]) => [key, typeof v === 'function'
  ? (...a: unknown[]) => timed(`wasm:${key}`, () => (v as (...x: unknown[]) => unknown)(...a))
  : v]));

// Warm-up epoch, then one profiled epoch.
await net.fit(inputs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0, yieldEvery: 'never' });
on = true;
const t0 = performance.now();
await net.fit(inputs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0, yieldEvery: 'never' });
const total = performance.now() - t0;
on = false;

const sorted = [...rows].sort((a, b) => b[1].ms - a[1].ms);
const inKernels = sorted.reduce((s, [, r]) => s + r.ms, 0);
const top = Number(args.top);
const fmt = (ms: number): string => ms.toFixed(1);
const pct = (ms: number): string => `${((100 * ms) / total).toFixed(1)}%`;
console.log(`\n${model}, ${m} samples, batch ${batchSize}: one epoch ${fmt(total)} ms wall\n`);
console.log(markdownTable(['kernel', 'calls', 'ms', 'share', 'µs / call'], [
  ...sorted.slice(0, top).map(([k, r]) => [k, String(r.calls), fmt(r.ms), pct(r.ms), ((1000 * r.ms) / r.calls).toFixed(1)]),
  [`(${Math.max(0, sorted.length - top)} more kernels)`, '', fmt(sorted.slice(top).reduce((s, [, r]) => s + r.ms, 0)), '', ''],
  ['outside kernels', '', fmt(total - inKernels), pct(total - inKernels), ''],
]));
tf.dispose([xs, inputs, ys]);
net.dispose();
