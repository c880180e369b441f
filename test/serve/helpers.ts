/**
 * A temp project with a registry holding a tiny trained date translator (seconds to train), so
 * that server tests need no pipeline run: the data set, the training run and the registration
 * are the real ones, only smoke-sized.
 */
import path from 'node:path';
import { generateDates, writeDates } from '../../lib/ml/data/dates.ts';
import { generateSpam, writeSpam } from '../../lib/ml/data/spam.ts';
import { run as spam } from '../../lib/ml/experiments/spam.ts';
import { generateSyntheticSequences, writeSyntheticSequences } from '../../lib/ml/data/synthetic-sequences.ts';
import { run as ex1 } from '../../lib/ml/experiments/ex1.ts';
import { generateSineTrend, writeSineTrend } from '../../lib/ml/data/sine-trend.ts';
import { run as ex2 } from '../../lib/ml/experiments/ex2.ts';
import { generateG2p, writeG2p } from '../../lib/ml/data/g2p.ts';
import { TINY_G2P } from '../ml/data/tiny-g2p.ts';
import { run as g2p } from '../../lib/ml/experiments/g2p.ts';
import { run as translate } from '../../lib/ml/experiments/translate.ts';
import { archiveFiles, registerAndPromote, updateRegistry } from '../../lib/registry/index.ts';

// Not imported from test/experiments/helpers.ts: that module needs vitest, and the benchmark runs without it.
const TRAIN_DEFAULTS = { clipNorm: 5, schedule: { kind: 'constant', warmupSteps: 0 }, patience: 0 } as const;

/** The registered name of the translator in these projects. */
export const TRANSLATOR = 'date-translator';

/**
 * Makes `root` a project whose registry has `date-translator` v1 (production) trained with
 * `attention`, smoke-sized (`units` 8: seconds). bench/serve.ts uses it too.
 */
export async function projectWithTranslator(root: string, attention: 'general' | 'none' = 'general', units = 8): Promise<string> {
  await writeDates(path.join(root, 'data/dates'), generateDates({ n: 40, seed: 4 }));
  const member = `translate/${attention}`;
  await translate({
    seed: 1, dataDir: path.join(root, 'data/dates'), attention, encoder: 'lstm', embedDim: 8, units, attentionUnits: units,
    heads: 2, epochs: 1, batchSize: 16, lr: 0.01, teacherForcing: 1, beamWidth: 2, beamLimit: 2, valLimit: 10, attentionExamples: 1,
    samples: 2, coverageWeight: 0.1, conv: { layers: 3, kernelSize: 3 }, transformer: { layers: 2, norm: 'post', dropout: 0 }, ...TRAIN_DEFAULTS,
    transformerBudget: { epochs: 1, lr: 0.01, schedule: TRAIN_DEFAULTS.schedule }, convBudget: { epochs: 1, lr: 0.01, schedule: TRAIN_DEFAULTS.schedule },
  }, { outDir: path.join(root, 'reports', member), modelDir: path.join(root, 'models', member) });
  await register(root, `fp-${attention}`, member);
  return root;
}

/** Adds a tiny trained spam classifier (LSTM + attention) to `root`'s registry as `spam` v1. */
export async function addSpam(root: string): Promise<void> {
  await writeSpam(path.join(root, 'data/spam'), generateSpam({ size: 60, maxLen: 12, seed: 3 }));
  const member = 'spam/lstm-attention-masked';
  await spam({
    seed: 2, dataDir: path.join(root, 'data/spam'), cell: 'lstm-attention', masked: true, embedDim: 4, units: 4, epochs: 1, batchSize: 16, lr: 0.01,
    attentionExamples: 1, threshold: 0.5, ...TRAIN_DEFAULTS, bowBudget: { epochs: 1, lr: 0.01, schedule: TRAIN_DEFAULTS.schedule },
  }, { outDir: path.join(root, 'reports', member), modelDir: path.join(root, 'models', member) });
  await register(root, 'fp-spam', member, 'spam');
}

/** Adds a tiny trained exercise-1 classifier (16 steps) to `root`'s registry as `classifier` v1. */
export async function addClassifier(root: string): Promise<void> {
  await writeSyntheticSequences(path.join(root, 'data/synthetic'), generateSyntheticSequences({ n: 45, steps: 16, seed: 7 }));
  await ex1({ seed: 3, dataDir: path.join(root, 'data/synthetic'), units: 4, epochs: 1, batchSize: 8, lr: 0.01, attentionExamples: 1, ...TRAIN_DEFAULTS },
    { outDir: path.join(root, 'reports/ex1'), modelDir: path.join(root, 'models/ex1') });
  await register(root, 'fp-ex1', 'ex1', 'classifier');
}

/** Adds a tiny trained exercise-2 forecaster (12 steps in, 4 out) to `root`'s registry as `forecaster` v1. */
export async function addForecaster(root: string): Promise<void> {
  await writeSineTrend(path.join(root, 'data/sine'), generateSineTrend({ length: 160, inputSteps: 12, targetSteps: 4, stride: 2, seed: 5 }));
  await ex2({ seed: 1, dataDir: path.join(root, 'data/sine'), units: 4, attentionUnits: 4, epochs: 1, batchSize: 16, lr: 0.01, forecastExamples: 1,
    teacherForcing: 1, relative: true, ...TRAIN_DEFAULTS }, { outDir: path.join(root, 'reports/ex2'), modelDir: path.join(root, 'models/ex2') });
  await register(root, 'fp-ex2', 'ex2', 'forecaster');
}

/** Adds a tiny trained grapheme→phoneme model to `root`'s registry as `g2p` v1. */
export async function addG2p(root: string): Promise<void> {
  await writeG2p(path.join(root, 'data/g2p'), generateG2p(TINY_G2P));
  await g2p({ seed: 1, dataDir: path.join(root, 'data/g2p'), embedDim: 8, units: 8, attentionUnits: 8, epochs: 1, batchSize: 16, lr: 0.01, beamWidth: 2, beamLimit: 2,
    attention: 'additive', teacherForcing: 1, valLimit: 10, attentionExamples: 1, samples: 2, ...TRAIN_DEFAULTS },
  { outDir: path.join(root, 'reports/g2p'), modelDir: path.join(root, 'models/g2p') });
  await register(root, 'fp-g2p', 'g2p', 'g2p');
}

/** Registers the files of `member` as a new version of `name` (gate 0: it takes production unless a version ties). */
export async function register(root: string, fingerprint: string, member: string, name = TRANSLATOR): Promise<void> {
  const files = await archiveFiles(root, [`models/${member}`, `reports/${member}/metrics.json`]);
  await updateRegistry(root, (s) => {
    const { log } = registerAndPromote(s, { name, fingerprint, member, stage: member.includes('/') ? `${member.split('/')[0]}@${member.split('/')[1]}` : `train-${member}`, metrics: { test_exact_match: 0 }, files },
      { metric: 'test_exact_match', direction: 'max', threshold: 0 });
    return { log: log ? [log] : [], result: undefined };
  });
}
