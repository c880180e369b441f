/**
 * Training runs on wasm, the finite-difference checks on cpu: this ties the two together by
 * requiring every layer's gradients on wasm (all kernels, incl. gradients of tile/pad/cumsum…)
 * to equal the cpu ones for the same weights and inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BahdanauAttention, CoverageAttention, HierarchicalTemporalEncoder, LearnedPositionEmbedding, LuongAttention, MemoryModule,
  MultiHeadAttention, ScaledDotProductAttention, SinusoidalPositionEncoding, TransformerEncoderBlock,
} from '../../../lib/ml/layers/index.ts';
import { layerVariables, projectToScalar } from '../grad-check.ts';
import { useBackend } from '../helpers.ts';
import { toList } from './support.ts';

/** How to make a layer and its inputs (on whichever backend is current). */
interface Case {
  name: string;
  layer: () => tf.layers.Layer;
  inputs: () => tf.Tensor[];
}

const rnd = (shape: number[], seed: number) => (): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
const mask = (rows: number[][]) => (): tf.Tensor => tf.tensor2d(rows);
const M = [[1, 1, 1, 0], [1, 1, 1, 1]];

const CASES: Case[] = [
  { name: 'ScaledDotProductAttention', layer: () => new ScaledDotProductAttention({ causal: true }), inputs: () => [rnd([2, 4, 3], 1)(), rnd([2, 4, 3], 2)(), rnd([2, 4, 2], 3)(), mask(M)()] },
  { name: 'LuongAttention general', layer: () => new LuongAttention({ score: 'general', seed: 1 }), inputs: () => [rnd([2, 3], 1)(), rnd([2, 4, 5], 2)(), mask(M)()] },
  { name: 'LuongAttention concat', layer: () => new LuongAttention({ score: 'concat', units: 3, seed: 1 }), inputs: () => [rnd([2, 2, 3], 1)(), rnd([2, 4, 5], 2)(), mask(M)()] },
  { name: 'BahdanauAttention', layer: () => new BahdanauAttention({ units: 3, seed: 1 }), inputs: () => [rnd([2, 3], 1)(), rnd([2, 4, 5], 2)(), mask(M)()] },
  { name: 'CoverageAttention', layer: () => new CoverageAttention({ units: 3, seed: 1 }), inputs: () => [rnd([2, 3], 1)(), rnd([2, 4, 5], 2)(), tf.tensor2d([[0.5, 0, 0.2, 0], [0, 1, 0, 0.3]]), mask(M)()] },
  { name: 'MultiHeadAttention', layer: () => new MultiHeadAttention({ numHeads: 2, keyDim: 2, causal: true, seed: 1 }), inputs: () => [rnd([2, 4, 6], 1)(), rnd([2, 4, 6], 2)(), rnd([2, 4, 6], 3)(), mask(M)()] },
  { name: 'SinusoidalPositionEncoding', layer: () => new SinusoidalPositionEncoding(), inputs: () => [rnd([2, 4, 6], 1)(), mask(M)()] },
  { name: 'LearnedPositionEmbedding', layer: () => new LearnedPositionEmbedding({ maxLength: 5, seed: 1 }), inputs: () => [rnd([2, 4, 6], 1)(), mask(M)()] },
  { name: 'TransformerEncoderBlock', layer: () => new TransformerEncoderBlock({ numHeads: 2, ffDim: 8, seed: 1 }), inputs: () => [rnd([2, 4, 6], 1)(), mask(M)()] },
  { name: 'MemoryModule', layer: () => new MemoryModule({ numSlots: 3, seed: 1 }), inputs: () => [rnd([2, 4, 6], 1)(), mask(M)()] },
  { name: 'HierarchicalTemporalEncoder', layer: () => new HierarchicalTemporalEncoder({ units: 4, segmentLength: 3, seed: 1 }), inputs: () => [rnd([2, 4, 6], 1)(), mask(M)()] },
];

/** Gradients of a fixed projection of the outputs w.r.t. the first input and every weight. */
function gradients(layer: tf.layers.Layer, inputs: tf.Tensor[]): number[][] {
  return tf.tidy(() => {
    const [first, ...rest] = inputs;
    const x = tf.variable(first!.clone(), true);
    const vars = [x, ...layerVariables(layer)];
    const { grads } = tf.variableGrads(() => projectToScalar(toList(layer.apply([x, ...rest]) as tf.Tensor | tf.Tensor[])), vars);
    const out = vars.map((v) => Array.from(grads[v.name]?.dataSync() ?? []));
    x.dispose();
    return out;
  });
}

describe('gradients on wasm equal gradients on cpu', () => {
  beforeAll(async () => { await useBackend('wasm'); });
  afterAll(async () => { await useBackend('wasm'); });

  it.each(CASES)('$name', async ({ layer: make, inputs: makeInputs }) => {
    await useBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const layer = make();
    const inputs = makeInputs();
    tf.dispose(layer.apply(inputs) as tf.Tensor | tf.Tensor[]);
    const onWasm = gradients(layer, inputs);
    const values = inputs.map((t) => ({ data: Array.from(t.dataSync()), shape: t.shape }));
    const weights = layer.getWeights().map((w) => ({ data: Array.from(w.dataSync()), shape: w.shape }));
    await useBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const cpuInputs = values.map((v) => tf.tensor(v.data, v.shape));
    const cpuLayer = make();
    tf.dispose(cpuLayer.apply(cpuInputs) as tf.Tensor | tf.Tensor[]);
    cpuLayer.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
    const onCpu = gradients(cpuLayer, cpuInputs);
    expect(onWasm.map((g) => g.length)).toEqual(onCpu.map((g) => g.length));
    onWasm.forEach((g, i) => g.forEach((v, j) => {
      const c = onCpu[i]![j]!;
      if (Math.abs(v - c) > 1e-4 + 1e-4 * Math.abs(c)) expect.fail(`tensor ${i} element ${j}: wasm ${v}, cpu ${c}`);
    }));
    expect(onWasm.flat().some((v) => v !== 0)).toBe(true);
    await useBackend('wasm');
  });
});
