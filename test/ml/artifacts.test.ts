/**
 * The artifact modules: each writer's bytes (cached outs: they must not drift), each reader's
 * round trip, and a clear error naming the file and the field for a corrupt or wrong-shaped file.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlignmentFile, type ClassifierAttentionFile, type G2pSample, type ForecastAttentionFile, type ForecastsFile, type HistoryFile,
  type SamplesFile, type TokenAttentionFile, readAlignments, readClassifierAttention, readForecastAttention, readForecasts,
  readHistory, readMetrics, readSamples, readTokenAttention, writeAttention, writeForecasts, writeHistory, writeMetrics,
  writeSamples,
} from '../../lib/ml/artifacts/index.ts';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'seqlab-artifacts-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
const file = (name: string): string => path.join(dir, `${n++}`, name);

const HISTORY: HistoryFile = { model: 'ex1', best_epoch: 2, epochs: [{ epoch: 1, loss: 0.25, val_accuracy: 0.5 }, { epoch: 2, loss: 0.1, val_accuracy: 0.75 }] };
const CLASSIFIER: ClassifierAttentionFile = {
  model: 'ex1', steps: 2, classes: ['a', 'b'], examples: [{ index: 4, label: 'a', predicted: 'b', signal: [0.5, -1], weights: [0.25, 0.75] }],
};
const FORECAST_ATTENTION: ForecastAttentionFile = { model: 'ex2', input_steps: 2, horizon: 1, maps: [{ window: 3, weights: [[0.4, 0.6]] }] };
const ALIGNMENT: AlignmentFile = {
  model: 'translate/dot', rows: 'output characters', cols: 'source characters',
  maps: [{ index: 1, source: ['a', 'b'], output: ['x', '</s>'], target: 'x', weights: [[0.9, 0.1], [0.2, 0.8]] }],
};
const TOKENS: TokenAttentionFile = { model: 'spam', maps: [{ mail: 'free money', label: 1, prob: 0.9, tokens: ['free', 'money'], weights: [0.3, 0.7] }] };
const SAMPLES: SamplesFile<G2pSample> = { model: 'g2p', samples: [{ word: 'cat', reference: 'K AE1 T', predicted: 'K AE1 T' }] };
const FORECASTS: ForecastsFile = {
  model: 'ex2', norm: { mean: 1, std: 2 }, input_steps: 2, horizon: 1, examples: [{ window: 0, start: 5, input: [0.1, 0.2], truth: [0.3], forecast: [0.35] }],
};

describe('artifact writers', () => {
  it('write indented JSON with floats cut to 6 significant digits and a final newline, as before', async () => {
    const f = file('history.json');
    await writeHistory(f, { ...HISTORY, epochs: [{ epoch: 1, loss: 0.123456789, val_accuracy: 0.5 }, { epoch: 2, loss: 0.1, val_accuracy: 0.75 }] });
    expect(await readFile(f, 'utf8')).toBe(
      '{\n "model": "ex1",\n "best_epoch": 2,\n "epochs": [\n  {\n   "epoch": 1,\n   "loss": 0.123457,\n   "val_accuracy": 0.5\n  },\n'
      + '  {\n   "epoch": 2,\n   "loss": 0.1,\n   "val_accuracy": 0.75\n  }\n ]\n}\n');
  });

  it('every reader gives back what its writer wrote', async () => {
    const trip = async <T>(write: (f: string, v: T) => Promise<void>, read: (f: string) => Promise<unknown>, value: T) => {
      const f = file('x.json');
      await write(f, value);
      expect(await read(f)).toEqual(value);
    };
    await trip(writeHistory, readHistory, HISTORY);
    await trip(writeAttention, readClassifierAttention, CLASSIFIER);
    await trip(writeAttention, readForecastAttention, FORECAST_ATTENTION);
    await trip(writeAttention, readAlignments, ALIGNMENT);
    await trip(writeAttention, readTokenAttention, TOKENS);
    await trip(writeSamples, readSamples, SAMPLES);
    await trip(writeForecasts, readForecasts, FORECASTS);
    await trip(writeMetrics, readMetrics, { model: 'ex1', test_accuracy: 0.9, confusion: [[1, 0], [0, 1]] });
  });
});

describe('artifact readers', () => {
  const bad = async (text: string, read: (f: string) => Promise<unknown>): Promise<string> => {
    const f = file('bad.json');
    await mkdir(path.dirname(f), { recursive: true });
    await writeFile(f, text);
    return read(f).then(() => 'no error', (e: unknown) => (e instanceof Error ? e.message : String(e)));
  };

  it('name the file and the field of a wrong-shaped value', async () => {
    const history = JSON.stringify({ ...HISTORY, epochs: [{ epoch: 1, loss: 'high' }] });
    expect(await bad(history, readHistory)).toMatch(/bad\.json: field "epochs\[0\]\.loss" should be a finite number\./);
    const alignment = JSON.stringify({ ...ALIGNMENT, maps: [{ ...ALIGNMENT.maps[0], weights: [[1, 0], [1]] }] });
    expect(await bad(alignment, readAlignments)).toMatch(/field "maps\[0\]\.weights" should be a rectangular matrix/);
    const forecasts = JSON.stringify({ ...FORECASTS, norm: { mean: 0 } });
    expect(await bad(forecasts, readForecasts)).toMatch(/field "norm\.std" should be a finite number/);
    expect(await bad(JSON.stringify({ samples: [] }), readSamples)).toMatch(/field "model" should be a string/);
    expect(await bad(JSON.stringify({ ...SAMPLES, samples: [{ word: 3 }] }), readSamples)).toMatch(/field "samples\[0\]\.word" should be a string/);
    expect(await bad(JSON.stringify({ ...CLASSIFIER, examples: {} }), readClassifierAttention)).toMatch(/field "examples" should be an array/);
    expect(await bad('[1, 2]', readMetrics)).toMatch(/field "\(root\)" should be an object/);
  });

  it('name the file of a missing or corrupt one', async () => {
    expect(await bad('{"model": "ex1", "epo', readHistory)).toMatch(/bad\.json: field "\(file\)" should be valid JSON\./);
    const missing = path.join(dir, 'nowhere', 'metrics.json');
    await expect(readMetrics(missing)).rejects.toThrow(`${missing}: field "(file)" should be a readable file`);
  });
});
