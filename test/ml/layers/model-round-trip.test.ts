import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BahdanauAttention, CoverageAttention, HierarchicalTemporalEncoder, LearnedPositionEmbedding, LuongAttention, MemoryModule,
  MultiHeadAttention, ScaledDotProductAttention, SinusoidalPositionEncoding, TransformerEncoderBlock,
} from '../../../lib/ml/layers/index.ts';
import { useBackend } from '../helpers.ts';
import { arr, expectClose, randn } from './support.ts';

beforeAll(async () => {
  await useBackend();
});

describe('functional models built from the layers', () => {
  it('save to model.json + weights and load back with tf.loadLayersModel: same predictions', async () => {
    const x = tf.input({ shape: [6, 4] });
    const m = tf.input({ shape: [6] });
    const cov = tf.input({ shape: [6] });
    const pe = new SinusoidalPositionEncoding().apply([x, m]) as tf.SymbolicTensor;
    const lp = new LearnedPositionEmbedding({ maxLength: 8, seed: 1 }).apply([pe, m]) as tf.SymbolicTensor;
    const [h] = new TransformerEncoderBlock({ numHeads: 2, ffDim: 8, seed: 2 }).apply([lp, m]) as tf.SymbolicTensor[];
    const [mem, readW] = new MemoryModule({ numSlots: 3, seed: 3 }).apply([h!, m]) as tf.SymbolicTensor[];
    const [hier, poolW] = new HierarchicalTemporalEncoder({ units: 4, segmentLength: 2, seed: 4 }).apply([mem!, m]) as tf.SymbolicTensor[];
    const [mha, mhaW] = new MultiHeadAttention({ numHeads: 2, keyDim: 2, seed: 5 }).apply([hier!, hier!, hier!, m]) as tf.SymbolicTensor[];
    const [sdpa] = new ScaledDotProductAttention().apply([mha!, hier!, hier!, m]) as tf.SymbolicTensor[];
    const [luong] = new LuongAttention({ score: 'concat', seed: 6 }).apply([sdpa!, hier!, m]) as tf.SymbolicTensor[];
    const [bahdanau] = new BahdanauAttention({ units: 3, seed: 7 }).apply([luong!, hier!, m]) as tf.SymbolicTensor[];
    const query = tf.layers.globalAveragePooling1d().apply(bahdanau!) as tf.SymbolicTensor;
    const [ctx, , newCov] = new CoverageAttention({ units: 3, seed: 8 }).apply([query, hier!, cov, m]) as tf.SymbolicTensor[];
    const model = tf.model({ inputs: [x, m, cov], outputs: [ctx!, newCov!, readW!, poolW!, mhaW!] });

    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    // Through JSON text, as model.json on disk would be.
    const topology = JSON.parse(JSON.stringify(artifacts!.modelTopology)) as object;
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...artifacts!, modelTopology: topology }));

    const xv = randn([2, 6, 4], 9);
    const mv = tf.tensor2d([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]]);
    const cv = tf.tensor2d([[0.2, 0, 0.5, 0, 0, 0], [0, 0, 0, 0, 0, 1]]);
    const a = model.predict([xv, mv, cv]) as tf.Tensor[];
    const b = loaded.predict([xv, mv, cv]) as tf.Tensor[];
    expect(b.map((t) => t.shape)).toEqual([[2, 4], [2, 6], [2, 6, 3], [2, 6], [2, 2, 6, 6]]);
    a.forEach((t, i) => expectClose(b[i]!, arr(t), 0));
    tf.dispose([xv, mv, cv, ...a, ...b]);
    model.dispose();
    loaded.dispose();
  });
});
