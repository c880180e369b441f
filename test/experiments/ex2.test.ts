import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSineTrend, writeSineTrend } from '../../lib/ml/data/sine-trend.ts';
import { type Ex2Metrics, run } from '../../lib/ml/experiments/ex2.ts';
import { Seq2SeqForecaster } from '../../lib/ml/models/forecaster.ts';
import { loadModelAs } from '../../lib/ml/models/model.ts';
import { readServing } from '../../lib/ml/artifacts/serving.ts';
import { useBackend } from '../ml/helpers.ts';
import { TRAIN_DEFAULTS, readJson, tempDir } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  await useBackend();
  dir = await tempDir('ex2');
  await writeSineTrend(path.join(dir, 'data'), generateSineTrend({ length: 160, inputSteps: 12, targetSteps: 4, stride: 2, seed: 5 }));
});

describe('exercise 2 run()', () => {
  it('trains and writes metrics, forecasts, attention maps and a loadable model', async () => {
    const seen: number[] = [];
    // Seq2SeqForecaster itself leaves a few tensors behind after dispose() (its own issue); run()
    // must add nothing on top of that, whatever the number of epochs.
    const bare = tf.memory().numTensors;
    new Seq2SeqForecaster({ horizon: 4, units: 4, attentionUnits: 4, seed: 1 }).dispose();
    const modelLeak = tf.memory().numTensors - bare;
    const before = tf.memory().numTensors;
    const { metrics } = await run(
      { seed: 1, dataDir: path.join(dir, 'data'), units: 4, attentionUnits: 4, epochs: 2, batchSize: 16, lr: 0.01, forecastExamples: 2,
        teacherForcing: 1, relative: true, ...TRAIN_DEFAULTS },
      { outDir: path.join(dir, 'reports'), modelDir: path.join(dir, 'model'), onEpoch: (e) => seen.push(e) },
    );
    expect(tf.memory().numTensors - before).toBe(modelLeak);
    expect(seen).toEqual([1, 2]);
    expect(metrics).toMatchObject({ model: 'ex2', task: 'regression', input_steps: 12, horizon: 4 });
    expect(metrics.test_mse).toBeGreaterThan(0);
    expect(metrics.test_mae).toBeGreaterThan(0);
    // MAE ≤ RMSE always.
    expect(metrics.test_mae).toBeLessThanOrEqual(Math.sqrt(metrics.test_mse) + 1e-9);
    expect(metrics.mse_per_step).toHaveLength(4);
    expect(metrics.attention_entropy).toBeLessThanOrEqual(Math.log(12) + 1e-9);
    expect(metrics.avg_attention_position).toBeGreaterThanOrEqual(0);
    expect(metrics.avg_attention_position).toBeLessThanOrEqual(11);
    expect(await readJson<Ex2Metrics>(path.join(dir, 'reports/metrics.json'))).toMatchObject({ test_mse: expect.closeTo(metrics.test_mse, 5) });

    const f = await readJson<{ examples: { input: number[]; truth: number[]; forecast: number[] }[] }>(path.join(dir, 'reports/forecasts.json'));
    expect(f.examples).toHaveLength(2);
    expect(f.examples[0]!.input).toHaveLength(12);
    expect(f.examples[0]!.forecast).toHaveLength(4);
    const a = await readJson<{ maps: { weights: number[][] }[] }>(path.join(dir, 'reports/attention.json'));
    for (const row of a.maps[0]!.weights) expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 4);
    expect(a.maps[0]!.weights).toHaveLength(4);

    // The saved model and its preprocessing reproduce the saved forecast.
    const model = await loadModelAs(path.join(dir, 'model'), Seq2SeqForecaster);
    const pre = await readServing(path.join(dir, 'model'));
    expect(pre).toMatchObject({ kind: 'forecaster', relative: true, inputSteps: f.examples[0]!.input.length });
    const input = f.examples[0]!.input;
    const last = input.at(-1)!;
    const out = model.predict([input.map((v) => [v - last])]);
    out.values[0]!.forEach((v, i) => expect(v + last).toBeCloseTo(f.examples[0]!.forecast[i]!, 4));
    model.dispose();
  });

  it('feeds absolute windows when relative is false, and records the choice', async () => {
    const base = { seed: 1, dataDir: path.join(dir, 'data'), units: 4, attentionUnits: 4, epochs: 1, batchSize: 16, lr: 0.01,
      teacherForcing: 1, relative: true, forecastExamples: 8, ...TRAIN_DEFAULTS };
    const abs = await run({ ...base, relative: false }, { outDir: path.join(dir, 'abs') });
    const rel = await run(base, { outDir: path.join(dir, 'rel') });
    expect(abs.metrics.relative).toBe(false);
    expect(rel.metrics.relative).toBe(true);
    expect(abs.metrics.test_mse).not.toBe(rel.metrics.test_mse);
  });
});
