/**
 * Side-by-side runner for the equivalence tests: the same args, weights, inputs, mask and
 * initial state through a stock tfjs layer and a fused one; returns outputs and gradients of a
 * random weighted sum of every output w.r.t. the input, each weight and each initial state.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedGRU, FusedLSTM } from '../../../lib/ml/rnn/index.ts';
import type { FusedRnnArgs } from '../../../lib/ml/rnn/index.ts';

/** One side of a comparison. */
export interface RunResult {
  outputs: Float32Array[];
  grads: Float32Array[];
  gradNames: string[];
}

/** Inputs of {@link runBoth}. */
export interface Case {
  kind: 'lstm' | 'gru';
  args: FusedRnnArgs;
  batch: number;
  steps: number;
  dim: number;
  /** (b, t) 0/1 values. */
  mask?: number[][];
  initialState?: boolean;
  /** Wrap in tf.layers.bidirectional with this merge mode. */
  bidirectional?: 'concat' | 'sum' | 'ave' | 'mul';
  seed?: number;
}

/** Right-padded mask for the given lengths. */
export function lengthsMask(lengths: number[], steps: number): number[][] {
  return lengths.map((n) => Array.from({ length: steps }, (_, i) => (i < n ? 1 : 0)));
}

function makeLayer(c: Case, fused: boolean): tf.layers.Layer {
  const inner = c.kind === 'lstm'
    ? (fused ? new FusedLSTM(c.args) : tf.layers.lstm(c.args as Parameters<typeof tf.layers.lstm>[0]))
    : (fused ? new FusedGRU(c.args) : tf.layers.gru(c.args as Parameters<typeof tf.layers.gru>[0]));
  if (!c.bidirectional) return inner;
  return tf.layers.bidirectional({ layer: inner as unknown as tf.RNN, mergeMode: c.bidirectional });
}

/** Run a case through the stock and the fused layer (fused gets the stock weights). */
export function runBoth(c: Case): { stock: RunResult; fused: RunResult } {
  const seed = c.seed ?? 1;
  const stock = makeLayer(c, false);
  const fused = makeLayer(c, true);
  const x = tf.variable(tf.randomNormal([c.batch, c.steps, c.dim], 0, 1, 'float32', seed));
  const nStates = c.initialState ? (c.kind === 'lstm' ? 2 : 1) * (c.bidirectional ? 2 : 1) : 0;
  const states = Array.from({ length: nStates }, (_, i) => tf.variable(tf.randomNormal([c.batch, c.args.units], 0, 0.5, 'float32', seed + 10 + i)));
  const mask = c.mask ? tf.tensor2d(c.mask) : undefined;
  const run = (layer: tf.layers.Layer, build: boolean): RunResult => {
    const kwargs: Record<string, unknown> = {};
    if (mask) kwargs['mask'] = mask;
    if (states.length > 0) kwargs['initialState'] = states;
    const forward = (): tf.Tensor[] => {
      const out = layer.apply(x, kwargs) as tf.Tensor | tf.Tensor[];
      return Array.isArray(out) ? out : [out];
    };
    if (build) {
      tf.tidy(() => {
        forward();
      });
      layer.setWeights(stock.getWeights());
    }
    const weightVars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const vars = [x, ...states, ...weightVars];
    const outputs = tf.tidy(() => forward().map((o) => o.dataSync() as Float32Array));
    const { grads } = tf.variableGrads(() => {
      const outs = forward();
      let loss = tf.scalar(0);
      outs.forEach((o, i) => {
        loss = tf.add(loss, tf.sum(tf.mul(o, tf.randomUniform(o.shape, -1, 1, 'float32', seed + 100 + i))));
      });
      return loss as tf.Scalar;
    }, vars);
    const gradList = vars.map((v) => grads[v.name]?.dataSync() as Float32Array);
    for (const g of Object.values(grads)) g.dispose();
    return { outputs, grads: gradList, gradNames: ['x', ...states.map((_, i) => `state${i}`), ...layer.trainableWeights.map((w) => w.originalName)] };
  };
  tf.tidy(() => {
    stock.apply(x, { ...(mask ? { mask } : {}), ...(states.length ? { initialState: states } : {}) });
  });
  const s = run(stock, false);
  const f = run(fused, true);
  x.dispose();
  for (const v of states) v.dispose();
  mask?.dispose();
  stock.dispose();
  fused.dispose();
  return { stock: s, fused: f };
}

/** Largest |a - b| / (1 + |b|) over two arrays of equal length. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number)) / (1 + Math.abs(b[i] as number));
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

/** Largest |value|: a comparison over all-zero arrays proves nothing. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}
