import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttentionKind } from '../../../lib/ml/models/attention-step.ts';
import { type EncoderSpec, Seq2Seq, type Seq2SeqBatch, padTokens } from '../../../lib/ml/models/seq2seq.ts';
import { loadModelAs } from '../../../lib/ml/models/model.ts';
import { useBackend } from '../helpers.ts';
import { REVERSE_MODEL, batches, reverseTask } from './reverse-task.ts';

beforeAll(async () => {
  await useBackend();
});

const BASE = REVERSE_MODEL;

function exactMatch(model: Seq2Seq, pairs: { src: number[]; tgt: number[] }[]): number {
  const pred = model.predict(pairs.map((p) => p.src));
  return pred.filter((p, i) => p.join() === pairs[i]?.tgt.slice(0, -1).join()).length / pairs.length;
}

describe('Seq2Seq', () => {
  it('learns to reverse sequences (≥ 90 % exact match on held-out data)', () => {
    const train = batches(reverseTask(256, 1), 32);
    const test = reverseTask(100, 2);
    const model = new Seq2Seq(BASE);
    const initial = exactMatch(model, test);
    let acc = 0;
    let epochs = 0;
    // Stop as soon as the bar is reached; the seed makes the run identical every time.
    while (epochs < 14 && acc < 0.9) {
      model.trainEpoch(train);
      epochs++;
      acc = exactMatch(model, test);
    }
    expect(initial).toBeLessThan(0.1);
    expect(acc).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });

  it('teacher-forcing ratios 0 and 1 both train, and give different losses', () => {
    const data = batches(reverseTask(64, 3), 32);
    const losses = [0, 1].map((ratio) => {
      const model = new Seq2Seq({ ...BASE, teacherForcingRatio: ratio });
      const run = [model.trainEpoch(data).loss, model.trainEpoch(data).loss];
      model.dispose();
      return run;
    });
    for (const run of losses) for (const l of run) expect(Number.isFinite(l)).toBe(true);
    // Same weights at the first batch, so only the fed tokens differ from step 2 on.
    expect(losses[0]?.[1]).not.toBe(losses[1]?.[1]);
    expect(losses[0]?.[0]).not.toBe(losses[1]?.[0]);
  });

  it('feeds the model its own argmax where the coin says so', () => {
    const model = new Seq2Seq(BASE);
    const [pair] = reverseTask(1, 4);
    const src = padTokens([pair?.src ?? []], 0);
    const tgt = padTokens([pair?.tgt ?? []], 0);
    const T = tgt.shape[1];
    const gold = model.loss(src, tgt).dataSync()[0];
    const allGold = model.loss(src, tgt, Array.from({ length: T }, () => [true])).dataSync()[0];
    const own = model.loss(src, tgt, Array.from({ length: T }, () => [false])).dataSync()[0];
    expect(allGold).toBe(gold);
    expect(own).not.toBe(gold);
    model.dispose();
  });

  it('drops a leading start token from targets (the data modules write START … END)', () => {
    const data = batches(reverseTask(16, 10), 16);
    const withStart = data.map((b) => ({ src: b.src, tgt: b.tgt.map((t) => [1, ...t]) }));
    const model = new Seq2Seq(BASE);
    expect(model.evaluate(withStart).loss).toBe(model.evaluate(data).loss);
    model.dispose();
  });

  it('scheduled sampling is deterministic for a seed', () => {
    const data = batches(reverseTask(64, 5), 32);
    const run = (): number[] => {
      const model = new Seq2Seq({ ...BASE, teacherForcingRatio: 0.5 });
      const l = [model.trainEpoch(data).loss, model.trainEpoch(data).loss];
      model.dispose();
      return l;
    };
    expect(run()).toEqual(run());
  });

  it('adds the coverage penalty to the loss when coverageWeight > 0', () => {
    const [b] = batches(reverseTask(16, 6), 16);
    const src = padTokens(b?.src ?? [], 0);
    const tgt = padTokens(b?.tgt ?? [], 0);
    const plain = new Seq2Seq({ ...BASE, attention: 'coverage' });
    const covered = new Seq2Seq({ ...BASE, attention: 'coverage', coverageWeight: 1 });
    const l0 = plain.loss(src, tgt).dataSync()[0] ?? NaN;
    const l1 = covered.loss(src, tgt).dataSync()[0] ?? NaN;
    expect(l1).toBeGreaterThan(l0);
    expect(Number.isFinite(covered.trainStep(b as Seq2SeqBatch).loss)).toBe(true);
    plain.dispose();
    covered.dispose();
  });

  const combos: [string, EncoderSpec, AttentionKind][] = [
    ...(['none', 'dot', 'general', 'concat', 'additive', 'coverage', 'multi-head'] as AttentionKind[]).map(
      (a): [string, EncoderSpec, AttentionKind] => [`lstm + ${a}`, { kind: 'rnn', cell: 'lstm' }, a]),
    ['bi-lstm + additive', { kind: 'rnn', cell: 'lstm', bidirectional: true }, 'additive'],
    ['conv + general', { kind: 'conv', layers: 2 }, 'general'],
    ['transformer + multi-head', { kind: 'transformer', layers: 1, heads: 2 }, 'multi-head'],
  ];
  it.each(combos)('%s trains without leaking tensors', (_name, encoder, attention) => {
    const model = new Seq2Seq({ ...BASE, encoder, cell: 'lstm', attention, units: 12, embedDim: 12, heads: 2 });
    const [b] = batches(reverseTask(8, 7), 8);
    const batch = b as Seq2SeqBatch;
    const first = model.trainStep(batch).loss; // creates Adam's slots
    const before = tf.memory().numTensors;
    const second = model.trainStep(batch).loss;
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(first) && Number.isFinite(second)).toBe(true);
    expect(second).toBeLessThan(first);
    model.dispose();
  });

  it('save/load round trip gives the same predictions and loss', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqlab-s2s-'));
    try {
      const data = batches(reverseTask(32, 8), 32);
      const model = new Seq2Seq({ ...BASE, encoder: { kind: 'rnn', cell: 'lstm', bidirectional: true }, cell: 'lstm', attention: 'additive' });
      model.trainEpoch(data);
      await model.save(dir);
      const loaded = await loadModelAs(dir, Seq2Seq);
      const srcs = reverseTask(10, 9).map((p) => p.src);
      expect(loaded.predict(srcs)).toEqual(model.predict(srcs));
      expect(loaded.evaluate(data).loss).toBe(model.evaluate(data).loss);
      expect(loaded.weights().map((w) => w.name)).toEqual(model.weights().map((w) => w.name));
      model.dispose();
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Seq2Seq transformer encoder options', () => {
  const [b] = batches(reverseTask(8, 11), 8);
  const spec = (o: { norm?: 'pre' | 'post'; dropout?: number }): EncoderSpec => ({ kind: 'transformer', layers: 1, heads: 2, ...o });
  const lossOf = (model: Seq2Seq, training: boolean): number => {
    const src = padTokens(b!.src, 0);
    const tgt = padTokens(b!.tgt, 0);
    const l = model.loss(src, tgt, undefined, training);
    const v = l.dataSync()[0] ?? NaN;
    tf.dispose([src, tgt, l]);
    return v;
  };

  it('applies dropout only while training', () => {
    const dropped = new Seq2Seq({ ...BASE, units: 12, embedDim: 12, encoder: spec({ dropout: 0.5 }) });
    const plain = new Seq2Seq({ ...BASE, units: 12, embedDim: 12, encoder: spec({ dropout: 0 }) });
    expect(lossOf(dropped, false)).toBe(lossOf(plain, false));
    expect(lossOf(plain, true)).toBe(lossOf(plain, false));
    expect(lossOf(dropped, true)).not.toBe(lossOf(dropped, false));
    dropped.dispose();
    plain.dispose();
  });

  it('places the layer norm before or after each sub-layer as configured', () => {
    const pre = new Seq2Seq({ ...BASE, units: 12, embedDim: 12, encoder: spec({ norm: 'pre' }) });
    const post = new Seq2Seq({ ...BASE, units: 12, embedDim: 12, encoder: spec({ norm: 'post' }) });
    const dflt = new Seq2Seq({ ...BASE, units: 12, embedDim: 12, encoder: spec({}) });
    expect(lossOf(post, false)).toBe(lossOf(dflt, false));
    expect(lossOf(pre, false)).not.toBe(lossOf(post, false));
    for (const m of [pre, post, dflt]) m.dispose();
  });
});
