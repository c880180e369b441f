import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Encoder, convEncoder, rnnEncoder } from '../../../lib/ml/models/encoders.ts';
import { makeRnn, runRnn } from '../../../lib/ml/models/rnn.ts';
import { transformerEncoder } from '../../../lib/ml/models/transformer-encoder.ts';
import { useBackend } from '../helpers.ts';

beforeAll(async () => {
  await useBackend();
});

/** Two sequences, the second padded (0) after 3 tokens. */
const SRC = [[3, 4, 5, 6, 7], [5, 4, 3, 0, 0]];

/** Same tokens with two more pad columns: real steps must not notice. */
const SRC_PADDED = SRC.map((r) => [...r, 0, 0]);

function encodeArrays(enc: Encoder, src: number[][]): { outputs: number[][][]; values: number[][][]; mask: number[][]; state: number[][][] } {
  const input = tf.tensor2d(src, undefined, 'int32');
  const out = enc.encode(input);
  const result = {
    outputs: out.outputs.arraySync(), values: out.values.arraySync(), mask: out.mask.arraySync(),
    state: out.state.map((s) => s.arraySync()),
  };
  tf.dispose([input, out.outputs, out.values, out.mask, ...out.state]);
  return result;
}

function expectClose(a: number[][], b: number[][], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - (b[i]?.[j] ?? NaN))).toBeLessThan(tol)));
}

const encoders: [string, () => Encoder, number][] = [
  ['lstm', () => rnnEncoder({ cell: 'lstm', units: 6, vocabSize: 10, embedDim: 4, seed: 1 }), 6],
  ['gru', () => rnnEncoder({ cell: 'gru', units: 6, vocabSize: 10, embedDim: 4, seed: 1 }), 6],
  ['bi-lstm concat', () => rnnEncoder({ cell: 'lstm', units: 6, bidirectional: true, vocabSize: 10, embedDim: 4, seed: 1 }), 12],
  ['bi-gru sum', () => rnnEncoder({ cell: 'gru', units: 6, bidirectional: true, merge: 'sum', vocabSize: 10, embedDim: 4, seed: 1 }), 6],
  ['conv', () => convEncoder({ vocabSize: 10, embedDim: 8, hiddenDim: 6, layers: 2, kernelSize: 3, seed: 1 }), 8],
  ['transformer', () => transformerEncoder({ vocabSize: 10, embedDim: 8, heads: 2, layers: 2, seed: 1 }), 8],
];

describe.each(encoders)('%s encoder', (_name, make, width) => {
  it('returns (b, t, d) outputs, the padding mask and a (b, d) state', () => {
    const enc = make();
    expect(enc.outputDim).toBe(width);
    const out = encodeArrays(enc, SRC);
    expect([out.outputs.length, out.outputs[0]?.length, out.outputs[0]?.[0]?.length]).toEqual([2, 5, width]);
    expect(out.mask).toEqual([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]);
    expect(out.state.length).toBe(enc.stateCount);
    for (const s of out.state) expect([s.length, s[0]?.length]).toEqual([2, enc.stateDim]);
    // Padded steps output zeros.
    for (const t of [3, 4]) expect(out.outputs[1]?.[t]?.every((x) => x === 0)).toBe(true);
    expect(out.outputs[1]?.[2]?.some((x) => x !== 0)).toBe(true);
  });

  it('ignores padding: extra pad columns change neither real outputs nor the state', () => {
    const enc = make();
    const a = encodeArrays(enc, SRC);
    const b = encodeArrays(enc, SRC_PADDED);
    for (let i = 0; i < 2; i++) expectClose(a.outputs[i] ?? [], (b.outputs[i] ?? []).slice(0, 5));
    a.state.forEach((s, i) => expectClose(s, b.state[i] ?? []));
  });

  it('is deterministic for a seed and leaks no tensors', () => {
    const first = make();
    const second = make();
    const w1 = first.weights();
    const w2 = second.weights();
    expect(w1.map((w) => w.name)).toEqual(w2.map((w) => w.name));
    w1.forEach((w, i) => expect(Array.from(w.variable.dataSync())).toEqual(Array.from(w2[i]?.variable.dataSync() ?? [])));
    const before = tf.memory().numTensors;
    encodeArrays(first, SRC);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('rnnEncoder', () => {
  it('takes features (b, t, inputDim) when built with inputDim', () => {
    const enc = rnnEncoder({ cell: 'lstm', units: 5, bidirectional: true, inputDim: 3, seed: 2 });
    const x = tf.randomNormal([4, 7, 3], 0, 1, 'float32', 3) as tf.Tensor3D;
    const out = enc.encode(x);
    expect(out.outputs.shape).toEqual([4, 7, 10]);
    expect(out.mask.sum().dataSync()[0]).toBe(28);
    tf.dispose([x, out.outputs, out.mask, ...out.state]);
  });

  it('bidirectional state is [forward final; backward final] at the real ends', () => {
    const enc = rnnEncoder({ cell: 'gru', units: 4, bidirectional: true, vocabSize: 10, embedDim: 3, seed: 5 });
    const out = encodeArrays(enc, SRC);
    // The forward half of the state is the forward output at the last real step, the backward
    // half the backward output at the first step.
    const fwdLast = (out.outputs[1]?.[2] ?? []).slice(0, 4);
    const bwdFirst = (out.outputs[1]?.[0] ?? []).slice(4);
    expectClose([(out.state[0]?.[1] ?? []).slice(0, 4)], [fwdLast]);
    expectClose([(out.state[0]?.[1] ?? []).slice(4)], [bwdFirst]);
  });
});

describe('runRnn', () => {
  it('matches stepping the cell by hand and carries the state through masked steps', () => {
    const rnn = makeRnn('lstm', 3, { inputDim: 2, seed: 9 });
    const x = tf.tensor3d([[[1, 0], [0, 1], [1, 1]]]);
    const mask = tf.tensor2d([[1, 1, 0]]);
    const { outputs, state } = runRnn(rnn, x, mask);
    let s = rnn.initialState(1);
    for (let t = 0; t < 2; t++) s = rnn.step(x.slice([0, t, 0], [1, 1, 2]).reshape([1, 2]), s);
    expectClose(state[0]?.arraySync() ?? [], s[0]?.arraySync() ?? []);
    expectClose(state[1]?.arraySync() ?? [], s[1]?.arraySync() ?? []);
    expect(outputs.arraySync()[0]?.[2]?.every((v) => v === 0)).toBe(true);
    expectClose([outputs.arraySync()[0]?.[1] ?? []], s[0]?.arraySync() ?? []);
    tf.dispose([x, mask, outputs, ...state, ...s]);
  });
});
