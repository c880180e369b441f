/**
 * A small `reports/` tree in the formats the experiment stages write (lib/ml/experiments), in a
 * real temp directory: enough for every figure, the numbers, the tables and the report page.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writePredictions } from '../../lib/ml/artifacts/index.ts';

async function put(root: string, rel: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), typeof value === 'string' ? value : `${JSON.stringify(value, null, 1)}\n`);
}

const softmax = (xs: number[]): number[] => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

const backend = { name: 'cpu', version: '4.22.0', package: '@tensorflow/tfjs' };

/** Writes the fixture tree into a fresh temp dir and returns its path. */
export async function makeReportsFixture(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'seqlab-report-'));
  const steps = 12;
  await put(root, 'reports/ex1/metrics.json', {
    model: 'ex1', task: 'classification', test_accuracy: 0.876543, val_accuracy: 0.9, test_ceiling: 0.9, attention_span: 4.25, avg_attention_position: 7.5,
    macro_f1: 0.871234, per_class: [{ name: 'rising', precision: 1, recall: 0.9, f1: 0.95, support: 10 }, { name: 'bursts', precision: 0.8, recall: 0.8, f1: 0.8, support: 10 }, { name: 'event', precision: 0.8, recall: 0.9, f1: 0.85, support: 10 }],
    confusion: [[9, 1, 0], [1, 8, 1], [0, 1, 9]], best_epoch: 3, epochs: 4, parameters: 12867, train_samples: 70, test_samples: 30, backend, train_time_s: 1.5,
  });
  await put(root, 'reports/ex1/history.json', { model: 'ex1', best_epoch: 3, epochs: [1, 2, 3, 4].map((e) => ({ epoch: e, loss: 1 / e, val_accuracy: 0.5 + e / 10 })) });
  await put(root, 'reports/ex1/attention.json', {
    model: 'ex1', steps, classes: ['rising', 'bursts', 'event'],
    examples: [0, 1, 2].map((i) => ({ index: 10 + i, label: 'event', predicted: i === 2 ? 'bursts' : 'event', signal: Array.from({ length: steps }, (_, t) => Math.sin(t)), weights: softmax(Array.from({ length: steps }, (_, t) => -Math.abs(t - 4 * i))) })),
  });
  await put(root, 'reports/ex2/metrics.json', {
    model: 'ex2', task: 'regression', test_mse: 0.041234, test_mae: 0.16789, val_mse: 0.05, attention_span: 9.5, avg_attention_position: 38.25, attention_entropy: 2.5, mse_per_step: [0.01, 0.02],
    baseline_last_mse: 0.05, baseline_linear_mse: 0.03, noise_floor_mse: 0.0086, attention_mass_span: 27.5,
    best_epoch: 2, epochs: 2, parameters: 25000, input_steps: 16, horizon: 4, train_windows: 100, test_windows: 20, backend, train_time_s: 3.25,
  });
  await put(root, 'reports/ex2/history.json', { model: 'ex2', best_epoch: 2, epochs: [{ epoch: 1, loss: 0.5, val_mse: 0.4 }, { epoch: 2, loss: 0.3, val_mse: 0.2 }] });
  await put(root, 'reports/ex2/forecasts.json', {
    model: 'ex2', norm: { mean: 0, std: 1 }, input_steps: 16, horizon: 4,
    examples: [0, 1].map((w) => ({ window: w * 7, start: w * 7, input: Array.from({ length: 16 }, (_, t) => Math.sin(t / 3 + w)), truth: [0.1, 0.2, 0.3, 0.4], forecast: [0.15, 0.22, 0.28, 0.41] })),
  });
  await put(root, 'reports/ex2/attention.json', { model: 'ex2', input_steps: 16, horizon: 4, maps: [{ window: 0, weights: Array.from({ length: 4 }, (_, s) => softmax(Array.from({ length: 16 }, (_, t) => -Math.abs(t - 12 - s)))) }] });
  await put(root, 'reports/theory/scaling.json', {
    dims: [4, 64, 1024], keys: 32, max_entropy: Math.log(32),
    scaled: [4, 64, 1024].map(() => ({ entropy: 3.2, max_weight: 0.15, score_std: 1, softmax_jacobian_norm: 0.2, grad_norm_q: 0.9 })),
    unscaled: [4, 64, 1024].map((d) => ({ entropy: 3.4 / Math.log2(d), max_weight: 1 - 1 / Math.log2(d), score_std: Math.sqrt(d), softmax_jacobian_norm: 0.01, grad_norm_q: 1 / d })),
  });
  await put(root, 'reports/sweep-best/metrics.json', { model: 'sweep-best', task: 'classification', test_accuracy: 0.9, val_accuracy: 0.91, hyperparameters: { units: 64, lr: 0.003, batch_size: 32, epochs: 15 }, backend });
  const compareRow = (model: string, task: string, metrics: Record<string, number>, primary: [string, 'max' | 'min']) => ({
    model, metricsFile: `reports/${model}/metrics.json`, task, primary: { metric: primary[0], direction: primary[1], value: metrics[primary[0]] ?? null }, metrics,
    backend: 'cpu 4.22.0', trainTimeS: metrics.train_time_s ?? null, stage: `train-${model}`, fingerprint: 'ab'.repeat(32), modelDir: `models/${model}`,
  });
  await put(root, 'reports/compare.json', { models: [
    compareRow('ex1', 'classification', { test_accuracy: 0.876543, macro_f1: 0.871234, parameters: 12867, train_time_s: 1.5 }, ['test_accuracy', 'max']),
    compareRow('ex2', 'regression', { test_mse: 0.041234, test_mae: 0.16789, parameters: 25000, train_time_s: 3.25 }, ['test_mse', 'min']),
    compareRow('sweep/0.003-64', 'classification', { test_accuracy: 0.9 }, ['test_accuracy', 'max']),
  ] });
  await put(root, 'reports/promotion.json', { gates: { minAccuracy: 0.75, maxMse: 0.25 }, decisions: [
    // One decision per candidate member: the classifier task has three, its production moves once.
    { model: 'classifier', version: 1, registered: true, promoted: true, production: 1, productionMember: 'ex1', reason: 'test_accuracy 0.876543 passes the gate (≥ 0.75); no production version before.' },
    { model: 'classifier', version: 2, registered: true, promoted: true, production: 2, productionMember: 'sweep/0.003-64', reason: 'test_accuracy 0.9 passes the gate (≥ 0.75) and beats version 1 (0.876543).' },
    { model: 'classifier', version: 3, registered: true, promoted: false, production: 2, productionMember: 'sweep/0.003-64', reason: 'test_accuracy 0.8 does not beat production version 2 (0.9).' },
    { model: 'forecaster', version: 1, registered: true, promoted: false, production: null, productionMember: null, reason: 'test_mse 0.3 fails the gate (≤ 0.25).' },
  ] });
  // Exercise 3: two clips of 2 context + 2 future frames of 8×8 pixels per model, through the real writer.
  for (const [dir, noise] of [['ex3-full', 10], ['ex3-baseline', 60], ['ex3-no-memory', 30], ['ex3-no-transformer', 20], ['ex3-no-hierarchy', 15]] as const) {
    const size = 8;
    const frame = (t: number, add: number): Float32Array => Float32Array.from({ length: size * size }, (_, i) => {
      const [y, x] = [Math.floor(i / size), i % size];
      return Math.min(255, (Math.abs(x - t - 2) < 2 && Math.abs(y - 3) < 2 ? 230 : 0) + add) / 255;
    });
    await mkdir(path.join(root, `reports/${dir}`), { recursive: true });
    await writePredictions(path.join(root, `reports/${dir}`), {
      model: dir, contextFrames: 2, futureFrames: 2, size, clipIds: [0, 1],
      clips: [0, 1].map(() => ({ truth: [0, 1, 2, 3].map((t) => frame(t, 0)), prediction: [2, 3].map((t) => frame(t, noise)) })),
    });
    const perFrame = [1, 2].map((k) => (noise * k) / 2000);
    await put(root, `reports/${dir}/metrics.json`, {
      model: dir, task: 'frame-prediction', context_frames: 2, future_frames: 2, test_mse: noise / 1000, test_mse_per_frame: perFrame,
      test_frame_sse: perFrame.map((v) => v * 64), test_frame_sse_mean: (noise / 1000) * 64, test_mse_late: perFrame[1]!, test_mae: noise / 300, parameters: 1200000, frames: 4, size, backend,
    });
    await put(root, `reports/${dir}/history.json`, { model: dir, best_epoch: 1, epochs: [{ epoch: 1, loss: 0.1, val_mse: noise / 1000 }] });
  }
  // Translation matrix members (format of lib/ml/experiments/translate.ts): maps of output × source.
  const alignment = Array.from({ length: 11 }, (_, r) => softmax(Array.from({ length: 13 }, (_, c) => -Math.abs(c - r))));
  for (const [member, em] of [['additive-lstm', 0.97], ['dot-lstm', 0.91]] as const) {
    await put(root, `reports/translate/${member}/metrics.json`, { model: `translate/${member}`, task: 'seq2seq', test_exact_match: em, test_bleu: em - 0.02, backend });
    await put(root, `reports/translate/${member}/history.json`, { model: member, best_epoch: 1, epochs: [{ epoch: 1, loss: 0.4, val_exact_match: em }] });
    await put(root, `reports/translate/${member}/attention.json`, {
      model: member, rows: 'output characters', cols: 'source characters',
      maps: [{ index: 3, source: [...'march 5, 2021'], output: [...(member === 'dot-lstm' ? '2021-03-04' : '2021-03-05'), '</s>'], target: '2021-03-05', weights: alignment }],
    });
  }
  // Translation members the paper's table quotes (metrics only; below additive-lstm, the figures' best).
  for (const [dir, member, em] of [['translate', 'dot', 0.9], ['translate', 'general', 0.95], ['translate', 'concat', 0.8], ['translate', 'additive', 0.96], ['translate', 'coverage', 0.5], ['translate', 'multi-head', 0.94], ['translate-encoder', 'conv', 0.7], ['translate-encoder', 'transformer', 0.3]] as const) {
    await put(root, `reports/${dir}/${member}/metrics.json`, { model: `${dir}/${member}`, task: 'seq2seq', test_exact_match: em, beam_exact_match: em, test_bleu: 90, backend });
  }
  // Spam cells (lib/ml/experiments/spam.ts): confusion [actual][predicted], 0 = ham.
  for (const [member, f1] of [['lstm-attention-masked', 0.93], ['lstm-masked', 0.9], ['simple-rnn-masked', 0.7], ['simple-rnn-unmasked', 0.6], ['bow-logistic-masked', 0.95], ['bow-logistic-unmasked', 0.94], ['lstm-unmasked', 0.8], ['lstm-attention-unmasked', 0.85]] as const) {
    await put(root, `reports/spam/${member}/metrics.json`, { model: `spam-${member}`, task: 'classification', test_accuracy: f1 + 0.02, test_f1: f1, test_spam_fraction: 0.47, confusion: [[50, 3], [4, 43]], backend });
  }
  await put(root, 'reports/translate-encoder/lstm/metrics.json', { model: 'translate-encoder/lstm', task: 'seq2seq', attention: 'additive', encoder: 'lstm', test_exact_match: 0.97, beam_exact_match: 0.98, beam_width: 5, test_bleu: 99.1, backend });
  await put(root, 'reports/translate/none/metrics.json', { model: 'translate/none', task: 'seq2seq', attention: 'none', encoder: 'lstm', test_exact_match: 0.42, beam_exact_match: 0.43, test_bleu: 80.5, backend });
  await put(root, 'reports/g2p/attention.json', { model: 'g2p', rows: 'phonemes', cols: 'letters', maps: [{ word: 'cat', source: ['c', 'a', 't'], output: ['K', 'AE1', 'T', '</s>'], weights: [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.05, 0.9], [0.3, 0.3, 0.4]] }] });
  await put(root, 'reports/g2p/history.json', { model: 'g2p', best_epoch: 1, epochs: [{ epoch: 1, loss: 0.9, val_word_accuracy: 0.5 }] });
  await put(root, 'reports/g2p/metrics.json', { model: 'g2p', task: 'seq2seq', test_wer: 0.45, test_per: 0.123, test_word_accuracy: 0.55, test_bleu: 71.2, words: 33535, train_words: 20000, test_words: 12535, backend });
  await put(root, 'reports/spam/lstm-attention-masked/attention.json', { model: 'spam', maps: [{ mail: 'x', label: 1, prob: 0.9, tokens: ['free', 'money', 'café', '$$$'], weights: [0.1, 0.6, 0.2, 0.1] }] });
  return root;
}
