/**
 * Times every tfjs kernel call (`runKernel`, forward and gradient kernels alike) and every call
 * into this project's WebAssembly kernels, charging nested calls to the outermost one only, so
 * the rows add up to the time spent in kernels. Used by bench/profile-train.ts, and preloadable
 * into any command to see where a pipeline stage's time goes:
 *
 *   SEQLAB_KERNEL_PROFILE=1 node --import tsx --import ./bench/lib/kernel-profile.ts stages/translate.ts --attention additive --encoder lstm
 *
 * With SEQLAB_KERNEL_PROFILE set, the table is printed to stderr when the process exits.
 */
import * as tf from '@tensorflow/tfjs';
import { kernelArena } from '../../lib/ml/wasm/kernels.ts';
import { markdownTable } from './timing.ts';

interface Row {
  ms: number;
  calls: number;
}

const rows = new Map<string, Row>();
let depth = 0;
let on = false;
let withShapes = false;
let startedAt = 0;
let recorded = 0;

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

function label(name: string, inputs: unknown): string {
  if (!withShapes || typeof inputs !== 'object' || inputs === null) return name;
  const shapes = Object.values(inputs as Record<string, { shape?: number[] }>).map((t) => `[${t?.shape?.join('×') ?? ''}]`);
  return `${name} ${shapes.join(' ')}`;
}

let installed = false;

/** Wraps tfjs' kernel dispatch and the WebAssembly kernels (idempotent). */
export function installKernelProfile(opts: { shapes?: boolean } = {}): void {
  withShapes = opts.shapes ?? false;
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const runKernel = engine.runKernel.bind(engine);
  engine.runKernel = (name: string, ...rest: unknown[]) => timed(label(name, rest[0]), () => runKernel(name, ...rest));
  const arena = kernelArena() as unknown as { k: Record<string, unknown> };
  const wasm = arena.k;
  arena.k = Object.fromEntries(Object.entries(wasm).map(([key, v]) => [key, typeof v === 'function'
    ? (...a: unknown[]) => timed(`wasm:${key}`, () => (v as (...x: unknown[]) => unknown)(...a))
    : v]));
}

/** Starts (or restarts) recording. */
export function startKernelProfile(): void {
  rows.clear();
  on = true;
  startedAt = performance.now();
}

/** Stops recording; the wall time recorded. */
export function stopKernelProfile(): number {
  on = false;
  recorded = performance.now() - startedAt;
  return recorded;
}

/** The table of the last recording: top `top` rows, the rest, and the time outside kernels. */
export function kernelProfileTable(top = 25, total = recorded): string {
  const sorted = [...rows].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = sorted.reduce((s, [, r]) => s + r.ms, 0);
  const fmt = (ms: number): string => ms.toFixed(1);
  const pct = (ms: number): string => `${((100 * ms) / total).toFixed(1)}%`;
  return markdownTable(['kernel', 'calls', 'ms', 'share', 'µs / call'], [
    ...sorted.slice(0, top).map(([k, r]) => [k, String(r.calls), fmt(r.ms), pct(r.ms), ((1000 * r.ms) / r.calls).toFixed(1)]),
    [`(${Math.max(0, sorted.length - top)} more kernels)`, '', fmt(sorted.slice(top).reduce((s, [, r]) => s + r.ms, 0)), '', ''],
    ['outside kernels', '', fmt(total - inKernels), pct(total - inKernels), ''],
  ]);
}

if (process.env.SEQLAB_KERNEL_PROFILE) {
  installKernelProfile({ shapes: process.env.SEQLAB_KERNEL_PROFILE === 'shapes' });
  startKernelProfile();
  process.on('exit', () => {
    const ms = stopKernelProfile();
    process.stderr.write(`\nkernel profile of the whole process: ${ms.toFixed(0)} ms wall\n\n${kernelProfileTable(30, ms)}\n`);
  });
}
