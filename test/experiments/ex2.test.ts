import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSineTrend, readSineTrend, writeSineTrend } from '../../lib/ml/data/sine-trend.ts';
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

  it('puts the model next to the last-value and linear-trend baselines and the noise floor', async () => {
    const { metrics } = await run(
      { seed: 1, dataDir: path.join(dir, 'data'), units: 4, attentionUnits: 4, epochs: 1, batchSize: 16, lr: 0.01, forecastExamples: 0,
        teacherForcing: 1, relative: true, ...TRAIN_DEFAULTS },
      { outDir: path.join(dir, 'baselines') },
    );
    // Recomputed here from the data, window by window, without the library's baseline functions.
    const data = await readSineTrend(path.join(dir, 'data'));
    const t = data.inputSteps;
    const h = data.targetSteps;
    let last = 0;
    let linear = 0;
    for (const w of data.split.test) {
      const xs = Array.from(data.x.subarray(w * t, (w + 1) * t));
      // slope and intercept of the least-squares line through (k, xs[k])
      const n = xs.length;
      const sx = (n * (n - 1)) / 2;
      const sxx = ((n - 1) * n * (2 * n - 1)) / 6;
      const sy = xs.reduce((a, b) => a + b, 0);
      const sxy = xs.reduce((a, v, k) => a + k * v, 0);
      const b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
      const a = (sy - b * sx) / n;
      for (let k = 0; k < h; k++) {
        const y = data.y[w * h + k]!;
        last += (y - xs[n - 1]!) ** 2;
        linear += (y - (a + b * (n + k))) ** 2;
      }
    }
    const cells = data.split.test.length * h;
    expect(metrics.baseline_last_mse).toBeCloseTo(last / cells, 6);
    expect(metrics.baseline_linear_mse).toBeCloseTo(linear / cells, 6);
    expect(metrics.noise_floor_mse).toBeCloseTo((data.options.noise / data.norm.std) ** 2, 12);
    expect(metrics.attention).toBe('additive');
  });

  it("without attention records 'none' and the uniform weights' statistics", async () => {
    const { metrics } = await run(
      { seed: 1, dataDir: path.join(dir, 'data'), units: 4, attention: 'none', attentionUnits: 4, epochs: 1, batchSize: 16, lr: 0.01,
        forecastExamples: 0, teacherForcing: 1, relative: true, ...TRAIN_DEFAULTS },
      { outDir: path.join(dir, 'none') },
    );
    expect(metrics.attention).toBe('none');
    // 12 weights of 1/12: none above 0.05 is false (0.083 > 0.05), so all 12 count; 11 hold 90 %.
    expect(metrics.attention_span).toBe(12);
    expect(metrics.attention_mass_span).toBe(11);
    expect(metrics.attention_peak_position).toBe(0);
    expect(metrics.attention_entropy).toBeCloseTo(Math.log(12), 5);
    expect(metrics.test_mse).toBeGreaterThan(0);
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
