import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRnn, runRnn } from '../../../lib/ml/models/rnn.ts';
import type { Rnn, RnnKind } from '../../../lib/ml/models/rnn.ts';
import { rnnImplementation, setRnnImplementation } from '../../../lib/ml/rnn/index.ts';
import { useBackend } from '../helpers.ts';
import { lengthsMask, maxAbs, maxRelDiff } from './support.ts';

function build(kind: RnnKind, impl: 'fused' | 'stock'): Rnn {
  setRnnImplementation(impl);
  try {
    return makeRnn(kind, 5, { inputDim: 3, seed: 11, name: 'enc' });
  } finally {
    setRnnImplementation(undefined);
  }
}

/** Outputs, final state and gradients (x, initial state, every weight) of runRnn. */
function run(rnn: Rnn, x: tf.Variable, init: tf.Variable[], mask: tf.Tensor2D | undefined, reverse: boolean): Float32Array[] {
  const vars = [x, ...init, ...rnn.weights().map((w) => w.variable)];
  const values: Float32Array[] = [];
  const { grads } = tf.variableGrads(() => {
    const r = runRnn(rnn, x as tf.Tensor as tf.Tensor3D, mask, { reverse, initialState: init as tf.Tensor[] as tf.Tensor2D[] });
    const outs = [r.outputs, ...r.state];
    for (const o of outs) values.push(o.dataSync() as Float32Array);
    return outs.reduce((acc: tf.Tensor, o, i) => acc.add(o.mul(tf.randomUniform(o.shape, -1, 1, 'float32', 50 + i)).sum()), tf.scalar(0)) as tf.Scalar;
  }, vars);
  const out = [...values, ...vars.map((v) => grads[v.name]!.dataSync() as Float32Array)];
  tf.dispose(Object.values(grads));
  return out;
}

describe('makeRnn: fused by default, stock on request', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterEach(() => setRnnImplementation(undefined));

  it('defaults to fused; SEQLAB_RNN=stock and the setter switch; a bad value throws', () => {
    const saved = process.env.SEQLAB_RNN;
    try {
      delete process.env.SEQLAB_RNN;
      expect(rnnImplementation()).toBe('fused');
      expect(typeof build('gru', 'fused').sequence).toBe('function');
      expect(build('gru', 'stock').sequence).toBeUndefined();
      process.env.SEQLAB_RNN = 'stock';
      expect(rnnImplementation()).toBe('stock');
      setRnnImplementation('fused');
      expect(rnnImplementation()).toBe('fused');
      setRnnImplementation(undefined);
      process.env.SEQLAB_RNN = 'fast';
      expect(() => rnnImplementation()).toThrow(/SEQLAB_RNN="fast"/);
    } finally {
      if (saved === undefined) delete process.env.SEQLAB_RNN;
      else process.env.SEQLAB_RNN = saved;
    }
  });

  for (const kind of ['lstm', 'gru'] as const) {
    it(`${kind}: same weight names and initial values as the stock cell`, () => {
      const fused = build(kind, 'fused').weights();
      const stock = build(kind, 'stock').weights();
      expect(fused.map((w) => w.name)).toEqual(stock.map((w) => w.name));
      fused.forEach((w, i) => {
        expect(w.variable.shape).toEqual(stock[i]!.variable.shape);
        expect(Array.from(w.variable.dataSync())).toEqual(Array.from(stock[i]!.variable.dataSync()));
      });
    });

    for (const reverse of [false, true]) {
      it(`${kind}: runRnn outputs, state and gradients match the stock cell (mask, initial state, reverse=${reverse})`, () => {
        const fused = build(kind, 'fused');
        const stock = build(kind, 'stock');
        const x = tf.variable(tf.randomNormal([3, 6, 3], 0, 1, 'float32', 4));
        const init = Array.from({ length: kind === 'lstm' ? 2 : 1 }, (_, i) => tf.variable(tf.randomNormal([3, 5], 0, 0.5, 'float32', 20 + i)));
        const mask = tf.tensor2d(lengthsMask([6, 2, 4], 6));
        const a = run(fused, x, init, mask, reverse);
        const b = run(stock, x, init, mask, reverse);
        expect(a.length).toBe(b.length);
        b.forEach((ref, i) => {
          expect(maxAbs(ref), `entry ${i} is not all zero`).toBeGreaterThan(0);
          expect(maxRelDiff(a[i]!, ref), `entry ${i}`).toBeLessThan(1e-5);
        });
        tf.dispose([x, ...init, mask]);
      });
    }

    it(`${kind}: step matches the stock step`, () => {
      const fused = build(kind, 'fused');
      const stock = build(kind, 'stock');
      const x = tf.randomNormal([2, 3], 0, 1, 'float32', 8) as tf.Tensor2D;
      const s0 = fused.initialState(2);
      const a = fused.step(x, s0);
      const b = stock.step(x, s0);
      a.forEach((t, i) => expect(maxRelDiff(t.dataSync(), b[i]!.dataSync())).toBeLessThan(1e-5));
      tf.dispose([x, ...s0, ...a, ...b]);
    });
  }

  it('leaks no tensors through runRnn and step', () => {
    const rnn = build('lstm', 'fused');
    const x = tf.randomNormal([2, 4, 3]) as tf.Tensor3D;
    const mask = tf.tensor2d(lengthsMask([4, 2], 4));
    const x0 = tf.randomNormal([2, 3]) as tf.Tensor2D;
    const s0 = rnn.initialState(2);
    const before = tf.memory().numTensors;
    const r = runRnn(rnn, x, mask, { reverse: true });
    tf.dispose([r.outputs, ...r.state]);
    tf.dispose(rnn.step(x0, s0));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, mask, x0, ...s0]);
  });
});
