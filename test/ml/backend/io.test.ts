import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModel, loadWeights, saveLayersModel, saveWeights } from '../../../lib/ml/io.ts';
import { seededInit } from '../../../lib/ml/random.ts';
import { useBackend } from '../helpers.ts';

/** A custom layer with its own weight and config, so reload must go through registerClass. */
class ScaleShift extends tf.layers.Layer {
  static readonly className = 'TestScaleShift';
  readonly offset: number;
  private scale!: tf.LayerVariable;

  constructor(args: { offset: number; name?: string }) {
    super({ name: args.name });
    this.offset = args.offset;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.scale = this.addWeight('scale', [shape[shape.length - 1]!], 'float32', seededInit('randomNormal', 5, { stddev: 1 }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return x.mul(this.scale.read()).add(this.offset);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), offset: this.offset };
  }
}
tf.serialization.registerClass(ScaleShift);

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(path.join(os.tmpdir(), 'seqlab-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function buildModel(): tf.LayersModel {
  const input = tf.input({ shape: [5, 3] });
  const seq = tf.layers.gru({ units: 4, returnSequences: true, kernelInitializer: seededInit('glorotUniform', 1),
    recurrentInitializer: seededInit('orthogonal', 2) }).apply(input) as tf.SymbolicTensor;
  const shifted = new ScaleShift({ offset: 0.25 }).apply(seq) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling1d().apply(shifted) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, kernelInitializer: seededInit('glorotUniform', 3) }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('saveLayersModel / loadLayersModel', () => {
  it('writes model.json + weights.bin in the tfjs format and reloads to the same predictions', async () => {
    const model = buildModel();
    const x = tf.tensor3d(Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)), [2, 5, 3]);
    const before = model.predict(x) as tf.Tensor;
    const target = path.join(dir, 'nested', 'model');
    await saveLayersModel(model, target);

    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(target, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(JSON.stringify(json.modelTopology)).toContain('TestScaleShift');
    const bytes = json.weightsManifest[0].weights
      .reduce((n: number, w: { shape: number[] }) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect((await readFile(path.join(target, 'weights.bin'))).length).toBe(bytes);

    const loaded = await loadLayersModel(target);
    const after = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await after.data())).toEqual(Array.from(await before.data()));
    expect(loaded.layers.some((l) => l instanceof ScaleShift && l.offset === 0.25)).toBe(true);
    tf.dispose([x, before, after]);
    model.dispose();
    loaded.dispose();
  });

  it('reloads weights a training run changed, not the initial ones', async () => {
    const model = buildModel();
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tf.ones([4, 5, 3]);
    await model.fit(x, tf.ones([4, 2]), { epochs: 2, shuffle: false, verbose: 0 });
    const target = path.join(dir, 'trained');
    await saveLayersModel(model, target);
    const loaded = await loadLayersModel(target);
    const [a, b, fresh] = [model.predict(x), loaded.predict(x), buildModel().predict(x)] as tf.Tensor[];
    expect(Array.from(await b!.data())).toEqual(Array.from(await a!.data()));
    expect(Array.from(await b!.data())).not.toEqual(Array.from(await fresh!.data()));
    tf.dispose([x, a!, b!, fresh!]);
    model.dispose();
    loaded.dispose();
  });

  it('fails with the path when there is no model', async () => {
    await expect(loadLayersModel(path.join(dir, 'missing'))).rejects.toThrow(/missing/);
  });
});

describe('saveWeights / loadWeights', () => {
  it('round-trips a named tensor map, dtypes included', async () => {
    const map: tf.NamedTensorMap = {
      'encoder/w': tf.tensor2d([[1.5, -2], [3, 4.25]]),
      'step': tf.scalar(7, 'int32'),
      'mask': tf.tensor1d([1, 0, 1], 'bool'),
    };
    const target = path.join(dir, 'weights');
    await saveWeights(map, target);
    const back = await loadWeights(target);
    expect(Object.keys(back).sort()).toEqual(Object.keys(map).sort());
    for (const [name, t] of Object.entries(map)) {
      expect(back[name]!.dtype).toBe(t.dtype);
      expect(back[name]!.shape).toEqual(t.shape);
      expect(Array.from(await back[name]!.data())).toEqual(Array.from(await t.data()));
    }
    tf.dispose([...Object.values(map), ...Object.values(back)]);
  });
});
