import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ForecastBatch, Seq2SeqForecaster } from '../../../lib/ml/models/forecaster.ts';
import { rng as seededRng } from '../../../lib/ml/random.ts';
import { loadModelAs } from '../../../lib/ml/models/model.ts';
import { ATTENTION_KINDS } from '../../../lib/ml/models/attention-step.ts';
import { useBackend } from '../helpers.ts';

beforeAll(async () => {
  await useBackend();
});

/** Sine waves with random phase and frequency: `steps` inputs, `horizon` targets. */
function sines(n: number, steps: number, horizon: number, seed: number): ForecastBatch {
  const rng = seededRng(seed);
  const x: number[][][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const phase = rng.next() * 2 * Math.PI;
    const freq = 0.2 + rng.next() * 0.3;
    const at = (t: number): number => Math.sin(phase + freq * t);
    x.push(Array.from({ length: steps }, (_, t) => [at(t)]));
    y.push(Array.from({ length: horizon }, (_, t) => at(steps + t)));
  }
  return { x, y };
}

const CONFIG = { horizon: 4, units: 12, attentionUnits: 8, learningRate: 0.02, seed: 3 };

describe('Seq2SeqForecaster', () => {
  it('learns to continue sine waves (free-running MSE falls below a quarter of the start)', () => {
    const train = [sines(32, 12, 4, 1), sines(32, 12, 4, 2)];
    const test = [sines(32, 12, 4, 3)];
    const model = new Seq2SeqForecaster(CONFIG);
    const start = model.evaluate(test).mse;
    for (let e = 0; e < 12; e++) model.trainEpoch(train);
    const end = model.evaluate(test).mse;
    expect(end).toBeLessThan(start / 4);
    model.dispose();
  });

  it('predicts (b, horizon) values with (b, horizon, t) attention rows summing to 1', () => {
    const model = new Seq2SeqForecaster({ ...CONFIG, attention: 'general' });
    const before = tf.memory().numTensors;
    const out = model.predict(sines(3, 12, 4, 4).x);
    expect(tf.memory().numTensors).toBe(before);
    expect(out.values.length).toBe(3);
    expect(out.values[0]?.length).toBe(4);
    expect(out.attention[0]?.length).toBe(4);
    expect(out.attention[0]?.[0]?.length).toBe(12);
    for (const rows of out.attention) for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('runs exercise 2 shapes by default: Bi-LSTM encoder, LSTM decoder, Bahdanau, 50 → 10', () => {
    const model = new Seq2SeqForecaster({ horizon: 10, units: 8, seed: 1 });
    const names = model.weights().map((w) => w.name);
    expect(names.some((n) => n.startsWith('encoder/bwd/'))).toBe(true);
    expect(names).toContain('decoder/attention/v');
    const out = model.predict(sines(2, 50, 10, 8).x);
    expect([out.values.length, out.values[0]?.length]).toEqual([2, 10]);
    expect([out.attention[0]?.length, out.attention[0]?.[0]?.length]).toEqual([10, 50]);
    model.dispose();
  });

  it('predict leaves no tensor behind and the caller\'s input alive, for every attention kind and cell, fresh or loaded', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqlab-forecaster-'));
    try {
      for (const attention of ATTENTION_KINDS.filter((k) => k !== 'dot')) { // dot needs equal widths: not a bi-encoder's
        for (const cell of ['lstm', 'gru'] as const) {
          const fresh = new Seq2SeqForecaster({ ...CONFIG, attention, cell, encoderCell: cell });
          await fresh.save(dir);
          const loaded = await loadModelAs(dir, Seq2SeqForecaster);
          const x = tf.tensor3d(sines(3, 12, 4, 6).x as number[][][]);
          for (const model of [fresh, loaded]) {
            model.predict(x); // first call: anything created lazily is created here
            const before = tf.memory().numTensors;
            for (let i = 0; i < 5; i++) model.predict(x);
            model.predict(x.arraySync());
            expect(tf.memory().numTensors, `${attention} ${cell}`).toBe(before);
            expect(x.isDisposed).toBe(false);
          }
          x.dispose();
          fresh.dispose();
          loaded.dispose();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('trains with teacher forcing ratio 0, 0.5 and 1, and the ratio changes the loss', () => {
    const batch = sines(16, 12, 4, 5);
    const losses = [0, 0.5, 1].map((ratio) => {
      const model = new Seq2SeqForecaster({ ...CONFIG, teacherForcingRatio: ratio });
      model.trainStep(batch);
      const second = model.trainStep(batch).loss;
      model.dispose();
      return second;
    });
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    expect(losses[0]).not.toBe(losses[2]);
  });

  it('save/load round trip gives the same forecasts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqlab-forecaster-'));
    try {
      const model = new Seq2SeqForecaster(CONFIG);
      model.trainStep(sines(16, 12, 4, 6));
      await model.save(dir);
      const loaded = await loadModelAs(dir, Seq2SeqForecaster);
      const x = sines(4, 12, 4, 7).x;
      expect(loaded.predict(x).values).toEqual(model.predict(x).values);
      model.dispose();
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
