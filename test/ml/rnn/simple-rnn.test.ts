import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { simpleRnnSequence } from '../../../lib/ml/rnn/index.ts';
import { useBackend } from '../helpers.ts';
import { maxRelDiff } from './support.ts';

/** The Elman recurrence stepped with tfjs ops: the reference. */
function reference(x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D, u: tf.Tensor2D, h0: tf.Tensor2D, mask: tf.Tensor2D | undefined, reverse: boolean, carry: boolean): tf.Tensor[] {
  const [b, t, d] = x.shape;
  const xp = tf.unstack(tf.add(tf.matMul(x.reshape([b * t, d]), w), bias).reshape([b, t, -1]), 1) as tf.Tensor2D[];
  const ms = mask ? (tf.unstack(mask.expandDims(2), 1) as tf.Tensor2D[]) : undefined;
  let h = h0;
  const outs: tf.Tensor[] = new Array<tf.Tensor>(t);
  for (let k = 0; k < t; k++) {
    const i = reverse ? t - 1 - k : k;
    const next = tf.tanh(tf.add(xp[i]!, tf.matMul(h, u))) as tf.Tensor2D;
    const m = ms?.[i];
    h = m ? (tf.add(tf.mul(next, m), tf.mul(h, tf.sub(1, m))) as tf.Tensor2D) : next;
    outs[i] = m ? (carry ? h : tf.mul(next, m)) : next;
  }
  return [tf.stack(outs, 1), h];
}

describe.each(['wasm', 'cpu'] as const)('fused Elman RNN on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([
    ['no mask', false, false, false],
    ['holey mask, zero outputs at padding', true, false, false],
    ['mask, carried outputs, reverse', true, true, true],
  ])('%s: outputs, final state and gradients w.r.t. x, W, b, U, h0 match the stepped reference', (_name, masked, reverse, carry) => {
    const [b, t, d, h] = [3, 7, 5, 6];
    const x = tf.randomNormal([b, t, d], 0, 1, 'float32', 1) as tf.Tensor3D;
    const w = tf.randomNormal([d, h], 0, 0.5, 'float32', 2) as tf.Tensor2D;
    const bias = tf.randomNormal([h], 0, 0.5, 'float32', 3) as tf.Tensor1D;
    const u = tf.randomNormal([h, h], 0, 0.5, 'float32', 4) as tf.Tensor2D;
    const h0 = tf.randomNormal([b, h], 0, 0.5, 'float32', 5) as tf.Tensor2D;
    const mask = masked ? tf.tensor2d([[1, 1, 1, 1, 1, 1, 1], [1, 1, 0, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0, 0]]) : undefined;
    const wo = tf.randomNormal([b, t, h], 0, 1, 'float32', 6);
    const wh = tf.randomNormal([b, h], 0, 1, 'float32', 7);
    const fused = (xx: tf.Tensor3D, ww: tf.Tensor2D, bb: tf.Tensor1D, uu: tf.Tensor2D, hh: tf.Tensor2D): tf.Tensor[] => {
      const r = simpleRnnSequence(xx, uu, hh, { mask, reverse, maskedOutput: carry ? 'carry' : 'zero', inputKernel: ww, inputBias: bb });
      return [r.outputs, r.h];
    };
    const ref = (xx: tf.Tensor3D, ww: tf.Tensor2D, bb: tf.Tensor1D, uu: tf.Tensor2D, hh: tf.Tensor2D): tf.Tensor[] => reference(xx, ww, bb, uu, hh, mask, reverse, carry);
    const loss = (f: typeof fused) => (...a: tf.Tensor[]) => {
      const [o, hT] = f(a[0] as tf.Tensor3D, a[1] as tf.Tensor2D, a[2] as tf.Tensor1D, a[3] as tf.Tensor2D, a[4] as tf.Tensor2D);
      return tf.add(tf.sum(tf.mul(o!, wo)), tf.sum(tf.mul(hT!, wh))) as tf.Scalar;
    };
    const outs = tf.tidy(() => fused(x, w, bias, u, h0).map((v) => v.dataSync() as Float32Array));
    const refs = tf.tidy(() => ref(x, w, bias, u, h0).map((v) => v.dataSync() as Float32Array));
    outs.forEach((o, i) => expect(maxRelDiff(o, refs[i]!), `output ${i}`).toBeLessThan(1e-5));
    const inputs = [x, w, bias, u, h0];
    const g = tf.tidy(() => tf.grads(loss(fused))(inputs).map((v) => v.dataSync() as Float32Array));
    const gr = tf.tidy(() => tf.grads(loss(ref))(inputs).map((v) => v.dataSync() as Float32Array));
    g.forEach((v, i) => expect(maxRelDiff(v, gr[i]!), `gradient ${i}`).toBeLessThan(1e-5));
    tf.dispose([x, w, bias, u, h0, wo, wh, ...(mask ? [mask] : [])]);
  });
});
