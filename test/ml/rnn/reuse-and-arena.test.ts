import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FusedLSTM, lstmSequence } from '../../../lib/ml/rnn/index.ts';
import { kernelArena } from '../../../lib/ml/wasm/kernels.ts';
import { useBackend } from '../helpers.ts';
import { maxRelDiff } from './support.ts';

/** Counts the arena's LSTM forward calls while `f` runs. */
function countForward<T>(f: () => T): { result: T; calls: number } {
  const arena = kernelArena() as unknown as { k: Record<string, unknown> };
  const original = arena.k;
  let calls = 0;
  arena.k = { ...original, lstmForward: (...a: unknown[]) => {
    calls++;
    return (original['lstmForward'] as (...x: unknown[]) => unknown)(...a);
  } };
  try {
    return { result: f(), calls };
  } finally {
    arena.k = original;
  }
}

/** Bi-LSTM with returnState: five outputs, which tfjs-layers' executor computes one call each. */
function biModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 2] });
  const bi = tf.layers.bidirectional({
    layer: new FusedLSTM({ units: 4, returnSequences: true, returnState: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }) as unknown as tf.RNN,
    mergeMode: 'concat',
  });
  const [seq, hf, , hb] = bi.apply(input) as tf.SymbolicTensor[];
  const pooled = tf.layers.globalAveragePooling1d().apply(seq!) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })
    .apply(tf.layers.concatenate().apply([pooled, hf!, hb!])) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  return model;
}

describe('fused layers: one recurrence per direction per step, saved state in the arena', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterEach(async () => {
    await Promise.resolve(); // let the layers drop their reuse memos
  });

  it('a Bi-LSTM with returnState runs each direction once per training step, and trains as before', async () => {
    const model = biModel();
    const x = tf.randomNormal([8, 6, 2], 0, 1, 'float32', 3);
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 4);
    const { result, calls } = countForward(() => tf.tidy(() => model.predict(x) as tf.Tensor));
    // Without reuse tfjs-layers calls the bidirectional layer once per output it needs (3 here): 6.
    expect(calls).toBe(2);
    const before = result.dataSync().slice();
    result.dispose();
    let trainCalls = 0;
    for (let i = 0; i < 3; i++) {
      const arena = kernelArena() as unknown as { k: Record<string, unknown> };
      const original = arena.k;
      arena.k = { ...original, lstmForward: (...a: unknown[]) => {
        trainCalls++;
        return (original['lstmForward'] as (...z: unknown[]) => unknown)(...a);
      } };
      try {
        await model.trainOnBatch(x, y);
      } finally {
        arena.k = original;
      }
    }
    expect(trainCalls).toBe(6);
    // The weights changed, so a new prediction must not reuse anything from before training.
    await Promise.resolve();
    const after = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync().slice());
    expect(maxRelDiff(after as Float32Array, before as Float32Array)).toBeGreaterThan(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('reuses a result only with the same inputs, weights and tape, and never hands out a disposed tensor', () => {
    const layer = new FusedLSTM({ units: 3, returnSequences: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) });
    const x = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 6);
    const x2 = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 7);
    const a = countForward(() => layer.apply(x) as tf.Tensor);
    const b = countForward(() => layer.apply(x) as tf.Tensor);
    expect([a.calls, b.calls]).toEqual([1, 0]);
    expect(b.result).not.toBe(a.result);
    a.result.dispose();
    expect(Array.from(b.result.dataSync())).toEqual(Array.from(b.result.dataSync()));
    const c = countForward(() => layer.apply(x2) as tf.Tensor);
    expect(c.calls).toBe(1);
    // Inside a gradient tape the untaped result above must not be reused: gradients would vanish.
    const grads = tf.variableGrads(() => tf.sum(layer.apply(x2) as tf.Tensor) as tf.Scalar);
    expect(Object.keys(grads.grads).length).toBe(3);
    tf.dispose([x, x2, b.result, c.result, grads.value, ...Object.values(grads.grads)]);
  });

  it('saved buffers live until a new tape; they must come before scratch; repeated tapes give identical gradients', () => {
    const A = kernelArena();
    const tapeA = {};
    const tapeB = {};
    A.reset();
    A.save(10, tapeA);
    const gen = A.generation;
    A.reset();
    A.alloc(5);
    expect(() => A.save(1, tapeA)).toThrow(/before scratch/);
    A.reset();
    A.save(1, tapeA);
    expect(A.generation).toBe(gen);
    A.reset();
    A.save(1, tapeB);
    expect(A.generation).toBe(gen + 1);

    const x = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 8) as tf.Tensor3D;
    const u = tf.randomNormal([2, 8], 0, 0.3, 'float32', 9) as tf.Tensor2D;
    const h0 = tf.zeros([2, 2]) as tf.Tensor2D;
    const grad = (): Float32Array => tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(lstmSequence(z as tf.Tensor3D, u, h0, h0).outputs))(x).dataSync() as Float32Array);
    const first = grad();
    for (let i = 0; i < 4; i++) expect(Array.from(grad())).toEqual(Array.from(first));
    tf.dispose([x, u, h0]);
  });
});
