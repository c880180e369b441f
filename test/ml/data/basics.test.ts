import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getArray, readBundle, writeBundle } from '../../../lib/ml/data/io.ts';
import { randomSplit, stratifiedSplit, takeRows } from '../../../lib/ml/data/splits.ts';
import {
  PAD,
  UNK,
  buildVocabulary,
  decodeIds,
  encodeBatch,
  encodeTokens,
  makeVocabulary,
} from '../../../lib/ml/data/vocab.ts';
import { bundleBytes, expectPartition, tempDir } from './helpers.ts';

describe('splits', () => {
  it('random split: partition, sizes, fixed by the seed', () => {
    const s = randomSplit(101, { train: 0.6, val: 0.2, test: 0.2 }, 5);
    expectPartition(s, 101);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([61, 20, 20]);
    expect(randomSplit(101, { train: 0.6, val: 0.2, test: 0.2 }, 5)).toEqual(s);
    expect(randomSplit(101, { train: 0.6, val: 0.2, test: 0.2 }, 6).test).not.toEqual(s.test);
  });

  it('stratified split keeps class proportions in every part', () => {
    const labels = Int32Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // 25 % positives
    const s = stratifiedSplit(labels, { train: 0.5, val: 0.25, test: 0.25 }, 1);
    expectPartition(s, 400);
    for (const part of [s.train, s.val, s.test]) {
      const pos = Array.from(part).filter((i) => labels[i] === 1).length;
      expect(pos / part.length).toBeCloseTo(0.25, 2);
    }
  });

  it('rejects fractions that do not sum to 1', () => {
    expect(() => randomSplit(10, { train: 0.5, val: 0.2, test: 0.2 })).toThrow(/sum to 1/);
  });

  it('takeRows gathers items', () => {
    const data = Float32Array.from([0, 1, 10, 11, 20, 21]);
    expect(Array.from(takeRows(data, 2, [2, 0]))).toEqual([20, 21, 0, 1]);
  });
});

describe('vocabulary', () => {
  const vocab = buildVocabulary([['b', 'a', 'b'], ['c', 'b', 'a'], ['d']], { minFreq: 2 });

  it('orders specials first, then tokens by frequency', () => {
    expect(vocab.tokens).toEqual(['<pad>', '<s>', '</s>', '<unk>', 'b', 'a']);
    expect([vocab.padId, vocab.startId, vocab.endId, vocab.unkId]).toEqual([0, 1, 2, 3]);
    expect(buildVocabulary([['x', 'y', 'z']], { maxSize: 5 }).tokens).toEqual(['<pad>', '<s>', '</s>', '<unk>', 'x']);
  });

  it('encodes with START/END, UNK and post/pre padding and truncation', () => {
    expect(Array.from(encodeTokens(vocab, ['a', 'z'], { maxLen: 6, addStart: true, addEnd: true }).ids)).toEqual([
      1, 5, 3, 2, 0, 0,
    ]);
    const pre = encodeTokens(vocab, ['a', 'b'], { maxLen: 4, padding: 'pre' });
    expect(Array.from(pre.ids)).toEqual([0, 0, 5, 4]);
    expect(pre.length).toBe(2);
    expect(Array.from(encodeTokens(vocab, ['a', 'b', 'b', 'a'], { maxLen: 2 }).ids)).toEqual([5, 4]);
    expect(Array.from(encodeTokens(vocab, ['a', 'b', 'b', 'a'], { maxLen: 2, truncating: 'pre' }).ids)).toEqual([4, 5]);
    expect(Array.from(encodeTokens(vocab, ['a'], { maxLen: 2, addStart: true, addEnd: true, truncating: 'pre' }).ids)).toEqual([5, 2]);
  });

  it('batch encoding equals row-by-row encoding', () => {
    const rows = [['a'], ['b', 'a', 'q', 'b'], []];
    const opts = { maxLen: 4, addStart: true, addEnd: true, padding: 'pre' as const };
    const batch = encodeBatch(vocab, rows, opts);
    rows.forEach((r, i) => {
      const one = encodeTokens(vocab, r, opts);
      expect(Array.from(batch.ids.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(one.ids));
      expect(batch.lengths[i]).toBe(one.length);
    });
  });

  it('decodes, stopping at END and skipping specials', () => {
    expect(decodeIds(vocab, [1, 4, 5, 3, 2, 4, 0])).toEqual(['b', 'a', '<unk>']);
    expect(decodeIds(vocab, [4, 2, 5], { stopAtEnd: false })).toEqual(['b', 'a']);
  });

  it('throws on unknown tokens without UNK', () => {
    const v = makeVocabulary(['x'], [PAD]);
    expect(v.unkId).toBe(-1);
    expect(() => encodeTokens(v, ['y'])).toThrow(/no UNK/);
    expect(makeVocabulary(['x'], [PAD, UNK]).unkId).toBe(1);
  });
});

describe('bundle io', () => {
  it('round-trips arrays and meta, byte-identically on rewrite', async () => {
    const dir = await tempDir();
    const arrays = {
      f: { data: Float32Array.from([1.5, -2, 3.25]), shape: [3] },
      i: { data: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
      u: { data: Uint8Array.from([0, 255, 7]), shape: [3] },
    };
    await writeBundle(join(dir, 'a'), 'test-kind', { hello: 'wörld' }, arrays);
    await writeBundle(join(dir, 'b'), 'test-kind', { hello: 'wörld' }, arrays);
    expect((await bundleBytes(join(dir, 'a'))).equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    const b = await readBundle<{ hello: string }>(join(dir, 'a'), 'test-kind');
    expect(b.meta.hello).toBe('wörld');
    expect(Array.from(getArray(b, 'f', Float32Array).data)).toEqual([1.5, -2, 3.25]);
    expect(getArray(b, 'i', Int32Array).shape).toEqual([2, 3]);
    expect(Array.from(getArray(b, 'u', Uint8Array).data)).toEqual([0, 255, 7]);
    expect(() => getArray(b, 'f', Int32Array)).toThrow(/mistyped/);
    await expect(readBundle(join(dir, 'a'), 'other-kind')).rejects.toThrow(/expected "other-kind"/);
  });

  it('detects a truncated data file and rejects bad shapes', async () => {
    const dir = await tempDir();
    await writeBundle(dir, 'k', {}, { x: { data: new Float32Array(10), shape: [10] } });
    await writeFile(join(dir, 'data.bin'), new Uint8Array(8));
    await expect(readBundle(dir, 'k')).rejects.toThrow(/truncated/);
    await expect(writeBundle(dir, 'k', {}, { x: { data: new Float32Array(10), shape: [3, 3] } })).rejects.toThrow(/shape/);
  });
});
