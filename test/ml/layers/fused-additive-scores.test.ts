import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { additiveScores } from '../../../lib/ml/layers/bahdanau-attention.ts';
import { LuongAttention } from '../../../lib/ml/layers/luong-attention.ts';
import { fusedAdditiveScores, setAdditiveScoresImplementation } from '../../../lib/ml/layers/fused-additive-scores.ts';
import { useBackend } from '../helpers.ts';
import { maxRelDiff } from '../rnn/support.ts';

/** The tfjs formulation, written out here so the reference does not depend on the switch. */
function reference(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor): tf.Tensor {
  const u = q.shape[2];
  const hidden = tf.tanh(tf.add(q.expandDims(2), k.expandDims(1)));
  return tf.squeeze(tf.matMul(hidden.reshape([-1, u]), v.reshape([u, 1])).reshape([q.shape[0], q.shape[1], k.shape[1], 1]), [3]);
}

describe.each(['wasm', 'cpu'] as const)('fused additive attention scores on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => setAdditiveScoresImplementation(undefined));

  it.each([
    [2, 3, 5, 8], [3, 1, 7, 7], [1, 4, 2, 1], [2, 10, 50, 64],
  ])('b=%i tq=%i tk=%i u=%i: scores and gradients w.r.t. q, k, v match the tfjs formulation', (b, tq, tk, u) => {
    const q = tf.randomNormal([b, tq, u], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k = tf.randomNormal([b, tk, u], 0, 1, 'float32', 2) as tf.Tensor3D;
    const v = tf.randomNormal([u, 1], 0, 1, 'float32', 3);
    const w = tf.randomNormal([b, tq, tk], 0, 1, 'float32', 4);
    const loss = (f: typeof reference) => (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => tf.sum(tf.mul(f(qq as tf.Tensor3D, kk as tf.Tensor3D, vv), w));
    const before = tf.memory().numTensors;
    const ours = tf.tidy(() => fusedAdditiveScores(q, k, v));
    const ref = tf.tidy(() => reference(q, k, v));
    expect(maxRelDiff(ours.dataSync() as Float32Array, ref.dataSync() as Float32Array)).toBeLessThan(1e-5);
    const gOurs = tf.grads(loss(fusedAdditiveScores))([q, k, v]);
    const gRef = tf.grads(loss(reference))([q, k, v]);
    gOurs.forEach((g, i) => {
      expect(g.shape).toEqual(gRef[i]!.shape);
      expect(maxRelDiff(g.dataSync() as Float32Array, gRef[i]!.dataSync() as Float32Array), `gradient ${i}`).toBeLessThan(1e-5);
    });
    tf.dispose([ours, ref, ...gOurs, ...gRef]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([q, k, v, w]);
  });

  it('is what additiveScores uses by default; switching to the stock formulation gives the same numbers', () => {
    const q = tf.randomNormal([2, 3, 6], 0, 1, 'float32', 5);
    const keys = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 6);
    const w1 = tf.randomNormal([6, 8], 0, 0.5, 'float32', 7);
    const w2 = tf.randomNormal([5, 8], 0, 0.5, 'float32', 8);
    const bias = tf.randomNormal([8], 0, 0.5, 'float32', 9);
    const v = tf.randomNormal([8, 1], 0, 1, 'float32', 10);
    const run = (): Float32Array => tf.tidy(() => additiveScores(q, keys, w1, w2, bias, v).dataSync() as Float32Array);
    setAdditiveScoresImplementation('stock');
    const stock = run();
    setAdditiveScoresImplementation('fused');
    const fused = run();
    expect(maxRelDiff(fused, stock)).toBeLessThan(1e-5);
    setAdditiveScoresImplementation(undefined);
    expect(maxRelDiff(run(), fused)).toBe(0);
    tf.dispose([q, keys, w1, w2, bias, v]);
  });

  it('Luong concat attention gives the same context and weights fused and stock', () => {
    const layer = new LuongAttention({ score: 'concat', units: 6, seed: 3 });
    const q = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 11);
    const memory = tf.randomNormal([2, 7, 4], 0, 1, 'float32', 12);
    const run = (): Float32Array[] => tf.tidy(() => (layer.apply([q, memory]) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array));
    setAdditiveScoresImplementation('stock');
    const stock = run();
    setAdditiveScoresImplementation('fused');
    run().forEach((v, i) => expect(maxRelDiff(v, stock[i]!)).toBeLessThan(1e-5));
    setAdditiveScoresImplementation(undefined);
    tf.dispose([q, memory]);
  });

  it('rejects shapes that do not fit', () => {
    const q = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const k = tf.zeros([2, 5, 3]) as tf.Tensor3D;
    expect(() => fusedAdditiveScores(q, k, tf.zeros([4]))).toThrow(/do not fit/);
    tf.dispose([q, k]);
  });
});
