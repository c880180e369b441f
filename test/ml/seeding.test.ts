/**
 * One seed scheme for the whole library: the same seed gives the same bytes (a model's initial
 * weights as saved, a data set as written), another seed other bytes, and no two consumers of
 * one seed draw the same numbers (seeds derived by arithmetic, `seed + offset`, handed weight
 * i + 1 of one layer the seed of weight i of the next).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDates, writeDates } from '../../lib/ml/data/dates.ts';
import { Seq2Seq, type Seq2SeqConfig } from '../../lib/ml/models/seq2seq.ts';
import { useBackend } from './helpers.ts';

let root: string;
beforeAll(async () => {
  await useBackend();
  root = await mkdtemp(join(tmpdir(), 'seqlab-seeding-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

// Two transformer blocks (each with four same-shaped d×d projections) and additive attention:
// the layers that seed their weights from one base seed each.
const CONFIG: Seq2SeqConfig = {
  srcVocab: 9, tgtVocab: 9, startToken: 1, endToken: 2, embedDim: 8, units: 8,
  encoder: { kind: 'transformer', layers: 2, heads: 2 }, cell: 'gru', attention: 'additive', seed: 0,
};

let saved = 0;
async function initialWeights(seed: number): Promise<{ bytes: Buffer; values: Map<string, Float32Array> }> {
  const model = new Seq2Seq({ ...CONFIG, seed });
  try {
    const dir = join(root, `model-${saved++}`);
    await model.save(dir);
    const values = new Map(model.weights().map((w) => [w.name, w.variable.dataSync() as Float32Array]));
    return { bytes: await readFile(join(dir, 'weights.bin')), values };
  } finally {
    model.dispose();
  }
}

async function dataBytes(seed: number): Promise<Buffer> {
  const dir = join(root, `dates-${saved++}`);
  await writeDates(dir, generateDates({ n: 200, seed }));
  return Buffer.concat([await readFile(join(dir, 'meta.json')), await readFile(join(dir, 'data.bin'))]);
}

const key = (xs: Float32Array): string => Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength).toString('base64');

describe('one seed scheme', () => {
  it('a model built twice from one seed saves the same weight bytes; another seed, other bytes', async () => {
    const [a, b, c] = [await initialWeights(42), await initialWeights(42), await initialWeights(43)];
    expect(a.bytes.length).toBeGreaterThan(1000);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.bytes.equals(c.bytes)).toBe(false);
  });

  it('no two random weights of one model, or of models one seed apart, hold the same values', async () => {
    const weights = [...(await initialWeights(7)).values, ...(await initialWeights(8)).values]
      // Zeros and ones (biases, layer-norm gains) are constant by design.
      .filter(([, v]) => new Set(v).size > 1);
    expect(weights.length).toBeGreaterThan(20);
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    weights.forEach(([name, v], i) => {
      const owner = `${i < weights.length / 2 ? 'seed 7' : 'seed 8'} ${name}`;
      const other = seen.get(key(v));
      if (other !== undefined) clashes.push(`${owner} = ${other}`);
      seen.set(key(v), owner);
    });
    expect(clashes).toEqual([]);
  });

  it('a data set generated twice from one seed is written with the same bytes; another seed differs', async () => {
    const [a, b, c] = [await dataBytes(42), await dataBytes(42), await dataBytes(43)];
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });
});
