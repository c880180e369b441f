import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDates, writeDates } from '../../lib/ml/data/dates.ts';
import { generateG2p, writeG2p } from '../../lib/ml/data/g2p.ts';
import { run as runG2p } from '../../lib/ml/experiments/g2p.ts';
import { type TranslateParams, run } from '../../lib/ml/experiments/translate.ts';
import { raggedRows, sequenceScores, stripSpecials } from '../../lib/ml/experiments/translate-seq2seq.ts';
import { Seq2Seq } from '../../lib/ml/models/seq2seq.ts';
import { loadModelAs } from '../../lib/ml/models/model.ts';
import { useBackend } from '../ml/helpers.ts';
import { TINY_G2P } from '../ml/data/helpers.ts';
import { TRAIN_DEFAULTS, readJson, tempDir } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  await useBackend();
  dir = await tempDir('translate');
  await writeDates(path.join(dir, 'dates'), generateDates({ n: 40, seed: 4 }));
  await writeG2p(path.join(dir, 'g2p'), generateG2p(TINY_G2P));
});

const tiny = (over: Partial<TranslateParams>): TranslateParams => ({
  seed: 1, dataDir: path.join(dir, 'dates'), attention: 'general', encoder: 'lstm', embedDim: 8, units: 8, attentionUnits: 8,
  heads: 2, epochs: 1, batchSize: 16, lr: 0.01, teacherForcing: 1, beamWidth: 2, beamLimit: 3, valLimit: 40, attentionExamples: 2,
  samples: 50, coverageWeight: 0.1, conv: { layers: 3, kernelSize: 3 }, transformer: { layers: 2, norm: 'post', dropout: 0 },
  transformerBudget: { epochs: 1, lr: 0.01, schedule: { kind: 'constant', warmupSteps: 0 } },
  convBudget: { epochs: 1, lr: 0.01, schedule: { kind: 'constant', warmupSteps: 0 } }, ...TRAIN_DEFAULTS, ...over,
});

describe('seq2seq helpers', () => {
  it('cuts rows at their length or first pad, and strips START/END', () => {
    const ids = Int32Array.from([5, 6, 0, 0, 7, 8, 9, 0]);
    expect(raggedRows(ids, 4, [0, 1])).toEqual([[5, 6], [7, 8, 9]]);
    expect(raggedRows(ids, 4, [1], Int32Array.from([2, 1]))).toEqual([[7]]);
    expect(stripSpecials([[1, 5, 6, 2]], 1, 2)).toEqual([[5, 6]]);
  });

  it('scores exact match, token error rate and character BLEU', () => {
    const text = (ids: readonly number[]): string[] => ids.map(String);
    const perfect = sequenceScores([[1, 2, 3, 4]], [[1, 2, 3, 4]], text);
    expect(perfect).toMatchObject({ exact_match: 1, token_error_rate: 0, bleu: expect.closeTo(100, 9) });
    const half = sequenceScores([[1, 2], [3, 4]], [[1, 2], [3, 5]], text);
    expect(half.exact_match).toBe(0.5);
    expect(half.token_error_rate).toBeCloseTo(0.25, 9);
    expect(half.bleu).toBeLessThan(100);
  });
});

describe('translation run()', () => {
  it('writes metrics (greedy and beam), attention maps and a loadable model; deterministic', async () => {
    const seen: number[] = [];
    const out = path.join(dir, 'general');
    const { metrics } = await run(tiny({}), { outDir: out, modelDir: path.join(dir, 'model'), onEpoch: (e) => seen.push(e) });
    expect(seen).toEqual([1]);
    expect(metrics).toMatchObject({ model: 'translate-general-lstm', task: 'seq2seq', gate_metric: 'test_exact_match', beam_width: 2, beam_examples: 3 });
    for (const k of ['test_exact_match', 'test_bleu', 'test_cer', 'beam_exact_match', 'beam_bleu', 'val_exact_match'] as const) {
      expect(Number.isFinite(metrics[k])).toBe(true);
    }
    expect(metrics).not.toHaveProperty('train_time_s');
    expect(metrics.test_exact_match).toBeGreaterThanOrEqual(0);
    expect(metrics.test_exact_match).toBeLessThanOrEqual(1);
    const att = await readJson<{ maps: { source: string[]; output: string[]; weights: number[][] }[] }>(path.join(out, 'attention.json'));
    expect(att.maps).toHaveLength(2);
    const m = att.maps[0]!;
    expect(m.weights).toHaveLength(m.output.length);
    for (const row of m.weights) {
      expect(row).toHaveLength(m.source.length);
      expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 4);
    }
    (await loadModelAs(path.join(dir, 'model'), Seq2Seq)).dispose();
    const again = await run(tiny({}), { outDir: path.join(dir, 'again') });
    expect(again.metrics.test_cer).toBe(metrics.test_cer);
  });

  it('runs every encoder, and attention "none" without alignment weights', async () => {
    // Each encoder's budget replaces epochs for it only (the lstm keeps the shared 1).
    const budget = (epochs: number) => ({ epochs, lr: 0.005, schedule: { kind: 'constant', warmupSteps: 4 } }) as const;
    for (const encoder of ['conv', 'transformer'] as const) {
      const epochs: number[] = [];
      const { metrics } = await run(tiny({ encoder, beamLimit: 1, transformerBudget: budget(2), convBudget: budget(3) }), {
        outDir: path.join(dir, encoder), onEpoch: (e) => epochs.push(e),
      });
      expect(metrics.encoder).toBe(encoder);
      expect(Number.isFinite(metrics.test_cer)).toBe(true);
      expect({ encoder, epochs: metrics.epochs, seen: epochs.length }).toEqual({ encoder, ...(encoder === 'transformer' ? { epochs: 2, seen: 2 } : { epochs: 3, seen: 3 }) });
    }
    const { metrics } = await run(tiny({ attention: 'none', beamLimit: 1, teacherForcing: 0.5 }), { outDir: path.join(dir, 'none') });
    expect(metrics).toMatchObject({ attention: 'none', teacher_forcing: 0.5 });
  });
});

describe('g2p run()', () => {
  it('writes phoneme error rate, word accuracy and BLEU, and samples', async () => {
    const out = path.join(dir, 'g2p-out');
    const { metrics } = await runG2p(
      { seed: 1, dataDir: path.join(dir, 'g2p'), embedDim: 8, units: 8, attentionUnits: 8, epochs: 1, batchSize: 16, lr: 0.01, beamWidth: 2, beamLimit: 3,
        attention: 'additive', teacherForcing: 1, valLimit: 40, attentionExamples: 6, samples: 50, ...TRAIN_DEFAULTS },
      { outDir: out },
    );
    expect(metrics).toMatchObject({
      model: 'g2p', gate_metric: 'test_word_accuracy', attention: 'additive', words: 80, train_words: 40, val_words: 20, test_words: 20,
      dictionary_words: 123_874, beam_examples: 3,
    });
    expect(metrics.test_pool_words).toBeGreaterThanOrEqual(0.1 * 123_874);
    expect(metrics.train_pronunciations).toBeGreaterThanOrEqual(40);
    for (const k of ['test_wer', 'test_per', 'test_bleu', 'beam_wer', 'beam_per', 'greedy_wer_on_beam'] as const) expect(Number.isFinite(metrics[k])).toBe(true);
    expect(metrics.test_word_accuracy).toBeCloseTo(1 - metrics.test_wer, 12);
    expect(JSON.stringify(metrics)).not.toMatch(/time|seconds/i);
    const s = await readJson<{ samples: { word: string; reference: string }[] }>(path.join(out, 'samples.json'));
    expect(s.samples.length).toBe(metrics.test_words);
    expect(s.samples[0]!.reference.length).toBeGreaterThan(0);
  });
});
