/**
 * Training throughput of recurrent models: the fused layers (lib/ml/rnn), the stock
 * tfjs-layers on the same backend, and the same models in PyTorch on one CPU thread
 * (bench/torch_reference.py, when /usr/bin/python3 has torch). Same data, batch size and
 * epochs everywhere; seconds per epoch are the median of the timed epochs after a warm-up one.
 * Also the arithmetic floor: matmul FLOPs per epoch (forward + backward, counted analytically)
 * over the measured single-core peak of a large matMul. Reports wall and CPU seconds: on a shared
 * machine CPU time is the fairer comparison (all three run on one thread). Prints Markdown tables.
 *
 *   pnpm bench:train [--n 1000] [--epochs 3] [--models gru-attn,bilstm-s2s] [--impls fused,stock]
 *                    [--backend wasm] [--torch auto|off] [--stock-matmul] [--pin CPU]
 *
 * --pin CPU runs everything (this process, its GC and compiler threads, and PyTorch) on that one
 * core with taskset, so wall time is the whole cost of each side on one core: the fairest
 * reading on a shared machine, since node's helper threads otherwise run on the other core.
 * --stock-matmul puts back the stock wasm BatchMatMul (initBackend registers the transpose-free one).
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/ml/backend.ts';
import { unregisterTransposeFreeMatMul } from '../lib/ml/kernels/index.ts';
import { type BenchData, type Impl, type ModelName, batchSize, buildModel, makeData, units } from './lib/train-models.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    epochs: { type: 'string', default: '3' },
    models: { type: 'string', default: 'gru-attn,bilstm-s2s' },
    impls: { type: 'string', default: 'fused,stock' },
    backend: { type: 'string', default: 'wasm' },
    torch: { type: 'string', default: 'auto' },
    'stock-matmul': { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
    pin: { type: 'string' },
  },
});
if (args.pin !== undefined && process.env.SEQLAB_BENCH_PINNED !== args.pin) {
  const r = spawnSync('taskset', ['-c', args.pin, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, SEQLAB_BENCH_PINNED: args.pin },
  });
  if (r.error) throw new Error(`--pin needs taskset (util-linux): ${r.error.message}`);
  process.exit(r.status ?? 1);
}
const n = Number(args.n);
const epochs = Number(args.epochs);
const seed = Number(args.seed);
const models = args.models.split(',') as ModelName[];
const impls = args.impls.split(',') as Impl[];

interface Timing {
  /** Wall-clock seconds per timed epoch. */
  seconds: number[];
  /** CPU seconds (user + system) per timed epoch: robust to other processes on a shared box. */
  cpu: number[];
  loss: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function trainTfjs(model: ModelName, impl: Impl, data: BenchData): Promise<Timing> {
  const m = data.y.length / (data.outSteps ?? 1);
  const net = buildModel(model, impl, seed);
  const xs = tf.tensor3d(data.x, [m, 50, 1]);
  const inputs = data.decIn ? [xs, tf.tensor3d(data.decIn, [m, 10, 1])] : xs;
  const ys = data.outSteps ? tf.tensor3d(data.y, [m, 10, 1]) : tf.tensor2d(data.y, [m, 1]);
  const seconds: number[] = [];
  const cpu: number[] = [];
  let t0 = 0;
  let c0 = 0;
  const h = await net.fit(inputs, ys, {
    batchSize, epochs: epochs + 1, shuffle: true, verbose: 0, yieldEvery: 'never',
    callbacks: {
      onEpochBegin: async () => {
        t0 = performance.now();
        c0 = cpuSeconds();
      },
      onEpochEnd: async (epoch) => {
        if (epoch === 0) return;
        seconds.push((performance.now() - t0) / 1000);
        cpu.push(cpuSeconds() - c0);
      },
    },
  });
  const losses = h.history['loss'] as number[];
  tf.dispose([xs, inputs, ys]);
  net.dispose();
  return { seconds, cpu, loss: losses[losses.length - 1] as number };
}

/** Matmul FLOPs of one epoch, forward + backward (= 3 × forward: dX and dW each cost a forward). */
function flopsPerEpoch(model: ModelName, samples: number): number {
  const h = units;
  let fwd: number;
  if (model === 'gru-attn') {
    const perStep = 2 * 1 * 3 * h + 2 * h * 3 * h + 2 * h * 32 + 2 * 32 + 2 * h;
    fwd = 50 * perStep + 2 * h * 3;
  } else {
    const lstmStep = 2 * 1 * 4 * h + 2 * h * 4 * h;
    const encoder = 2 * 50 * lstmStep;
    const decoder = 10 * lstmStep;
    const attention = 50 * 2 * (2 * h) * h + 10 * 2 * h * h + 10 * 50 * 2 * h + 10 * 2 * 50 * (2 * h);
    fwd = encoder + decoder + attention + 10 * 2 * 3 * h;
  }
  return 3 * fwd * samples;
}

async function wasmPeak(): Promise<number> {
  const a = tf.randomNormal([1024, 1024]) as tf.Tensor2D;
  const b = tf.randomNormal([1024, 1024]) as tf.Tensor2D;
  tf.matMul(a, b).dispose();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    times.push((performance.now() - t0) / 1000);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * 1024 ** 3) / Math.min(...times);
}

interface TorchResult {
  models: Record<string, Timing>;
  peak_flops: number;
  torch: string;
}

function runTorch(dir: string, datasets: Map<ModelName, BenchData>): TorchResult | string {
  if (args.torch === 'off') return 'skipped (--torch off)';
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return '/usr/bin/python3 has no torch';
  }
  const spec = {
    epochs, batch_size: batchSize, units, seed,
    models: Object.fromEntries([...datasets].map(([k, d]) => [k, {
      x: Array.from(d.x), y: Array.from(d.y), dec_in: d.decIn ? Array.from(d.decIn) : null, n: d.y.length / (d.outSteps ?? 1),
    }])),
  };
  const file = path.join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'torch_reference.py');
  // torch.set_num_threads(1) does not reach Debian's OpenBLAS (pthreads build), which would
  // otherwise run every GEMM on all cores: pin the BLAS libraries to one thread as well.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const out = execFileSync('/usr/bin/python3', [script, file], { encoding: 'utf8', maxBuffer: 1 << 24, env });
  return JSON.parse(out) as TorchResult;
}

const median = (v: number[]): number => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)] ?? NaN;

const info = await initBackend({ backend: args.backend as 'wasm' | 'cpu', log: () => {} });
if (args['stock-matmul'] && info.name === 'wasm') unregisterTransposeFreeMatMul();
const datasets = new Map(models.map((m) => [m, makeData(m, n, seed)] as const));
const results = new Map<string, Timing>();
for (const model of models) {
  for (const impl of impls) {
    console.error(`training ${model} with ${impl} layers on ${info.name}…`);
    results.set(`${model}/${impl}`, await trainTfjs(model, impl, datasets.get(model)!));
  }
}
const peak = await wasmPeak();
const dir = mkdtempSync(path.join(os.tmpdir(), 'seqlab-bench-train-'));
let torch: TorchResult | string;
try {
  console.error('training the PyTorch reference…');
  torch = runTorch(dir, datasets);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
console.log(`\nSeconds per epoch, batch ${batchSize}, median of ${epochs} epochs after 1 warm-up; tfjs ${tf.version.tfjs} ` +
  `(${info.name}${info.name === 'wasm' ? `, simd ${String(simd)}, transpose-free matMul ${args['stock-matmul'] ? 'off' : 'on'}` : ''}), node ${process.version}, ` +
  `${typeof torch === 'string' ? `PyTorch: ${torch}` : `torch ${torch.torch} (1 thread)`}; ` +
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}${args.pin !== undefined ? `, everything pinned to CPU ${args.pin}` : ''}, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
console.log('| model | samples | implementation | wall s / epoch | CPU s / epoch | loss (last epoch) | ratio to PyTorch (CPU s) | ratio (wall s) |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|');
for (const model of models) {
  const d = datasets.get(model)!;
  const samples = d.y.length / (d.outSteps ?? 1);
  const tr = typeof torch === 'string' ? undefined : torch.models[model];
  const refCpu = tr ? median(tr.cpu) : NaN;
  const refWall = tr ? median(tr.seconds) : NaN;
  const ratio = (v: number, ref: number): string => (tr ? (v / ref).toFixed(2) : 'n/a');
  for (const impl of impls) {
    const r = results.get(`${model}/${impl}`)!;
    const s = median(r.seconds);
    const c = median(r.cpu);
    console.log(`| ${model} | ${samples} | tfjs ${impl} (${info.name}) | ${s.toFixed(3)} | ${c.toFixed(3)} | ${r.loss.toFixed(4)} | ${ratio(c, refCpu)} | ${ratio(s, refWall)} |`);
  }
  if (tr) console.log(`| ${model} | ${samples} | PyTorch CPU, 1 thread | ${refWall.toFixed(3)} | ${refCpu.toFixed(3)} | ${tr.loss.toFixed(4)} | 1.00 | 1.00 |`);
}
const torchPeak = typeof torch === 'string' ? NaN : torch.peak_flops;
console.log(`\nArithmetic floor: matmul FLOPs per epoch (forward + backward) over the measured single-core peak ` +
  `(1024² matMul: tfjs ${info.name} ${(peak / 1e9).toFixed(2)} GFLOP/s, torch.mm ${(torchPeak / 1e9).toFixed(2)} GFLOP/s)\n`);
console.log('| model | GFLOP / epoch | floor at tfjs peak (s) | floor at torch peak (s) |');
console.log('|---|---:|---:|---:|');
for (const model of models) {
  const d = datasets.get(model)!;
  const f = flopsPerEpoch(model, d.y.length / (d.outSteps ?? 1));
  console.log(`| ${model} | ${(f / 1e9).toFixed(2)} | ${(f / peak).toFixed(3)} | ${Number.isNaN(torchPeak) ? 'n/a' : (f / torchPeak).toFixed(3)} |`);
}
