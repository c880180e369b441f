import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSpam, writeSpam } from '../../lib/ml/data/spam.ts';
import { type SpamParams, run, spamMemberName } from '../../lib/ml/experiments/spam.ts';
import { SPAM_CELLS, SpamClassifier } from '../../lib/ml/models/spam-classifier.ts';
import { useBackend } from '../ml/helpers.ts';
import { TRAIN_DEFAULTS, readJson, tempDir } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  await useBackend();
  dir = await tempDir('spam');
  await writeSpam(path.join(dir, 'data'), generateSpam({ size: 60, maxLen: 12, seed: 3 }));
});

const tiny = (over: Partial<SpamParams>): SpamParams => ({
  seed: 2, dataDir: path.join(dir, 'data'), cell: 'lstm', masked: true, embedDim: 4, units: 4, epochs: 2, batchSize: 16, lr: 0.01, attentionExamples: 2, threshold: 0.5,
  // The bag of words trains on its own budget (3 epochs where the others get 2).
  bowBudget: { epochs: 3, lr: 0.05, schedule: { kind: 'constant', warmupSteps: 0 } }, ...TRAIN_DEFAULTS, ...over,
});

describe('spam classifier', () => {
  it('with masks, padding does not change the prediction; without, it does', () => {
    const ids = tf.tensor2d([[5, 6, 7, 0, 0, 0]], undefined, 'int32');
    const short = tf.tensor2d([[5, 6, 7]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 0, 0, 0]]);
    const shortMask = tf.ones([1, 3]) as tf.Tensor2D;
    for (const cell of SPAM_CELLS) {
      for (const masked of [true, false]) {
        const m = new SpamClassifier({ cell, masked, vocabSize: 10, embedDim: 4, units: 4, learningRate: 0.01, clipNorm: 5, seed: 1 });
        const padded = m.predict(ids, mask).probs[0]!;
        const bare = m.predict(short, shortMask).probs[0]!;
        if (masked) expect(padded).toBeCloseTo(bare, 5);
        else expect(Math.abs(padded - bare)).toBeGreaterThan(1e-6);
        m.dispose();
      }
    }
    tf.dispose([ids, short, mask, shortMask]);
  });

  it('bow-logistic is a logistic regression on token counts: order does not matter, counts do', () => {
    const m = new SpamClassifier({ cell: 'bow-logistic', masked: true, vocabSize: 10, embedDim: 4, units: 4, learningRate: 0.01, clipNorm: 5, seed: 1 });
    const prob = (row: number[]): number => tf.tidy(() => m.predict(tf.tensor2d([row], undefined, 'int32'), tf.ones([1, row.length]) as tf.Tensor2D).probs[0]!);
    expect(prob([5, 6, 7, 6])).toBeCloseTo(prob([6, 6, 7, 5]), 6);
    expect(Math.abs(prob([5, 6, 7, 6]) - prob([5, 6, 7, 7]))).toBeGreaterThan(1e-4);
    expect(m.parameterCount()).toBe(10 + 1);
    m.dispose();
  });
});

describe('spam run()', () => {
  it('writes accuracy, F1, confusion matrix and gradient norms for each cell; deterministic', async () => {
    for (const cell of SPAM_CELLS) {
      const out = path.join(dir, spamMemberName(cell, true));
      const seen: number[] = [];
      const { metrics } = await run(tiny({ cell }), { outDir: out, modelDir: path.join(dir, 'models', cell), onEpoch: (e) => seen.push(e) });
      expect(seen).toEqual(cell === 'bow-logistic' ? [1, 2, 3] : [1, 2]);
      expect(metrics).toMatchObject({ model: `spam-${cell}-masked`, task: 'classification', cell, masked: true, max_len: 12 });
      for (const k of ['test_accuracy', 'test_f1', 'test_precision', 'test_recall', 'grad_norm_first', 'grad_norm_last'] as const) {
        expect(Number.isFinite(metrics[k])).toBe(true);
      }
      const total = metrics.confusion.flat().reduce((s, v) => s + v, 0);
      expect(total).toBe(metrics.test_mails);
      expect(metrics.confusion[0]![0]! + metrics.confusion[1]![1]!).toBe(Math.round(metrics.test_accuracy * total));
      expect(await readJson(path.join(out, 'metrics.json'))).toMatchObject({ test_accuracy: expect.closeTo(metrics.test_accuracy, 5) });
    }
    const att = await readJson<{ maps: { tokens: string[]; weights: number[] }[] }>(path.join(dir, 'lstm-attention-masked/attention.json'));
    expect(att.maps).toHaveLength(2);
    expect(att.maps[0]!.weights).toHaveLength(att.maps[0]!.tokens.length);
    expect(att.maps[0]!.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 4);

    const a = await run(tiny({ cell: 'simple-rnn', masked: false }), { outDir: path.join(dir, 'u1') });
    const b = await run(tiny({ cell: 'simple-rnn', masked: false }), { outDir: path.join(dir, 'u2') });
    expect(a.metrics.model).toBe('spam-simple-rnn-unmasked');
    expect(b.metrics.grad_norm_last).toBe(a.metrics.grad_norm_last);
  });
});
