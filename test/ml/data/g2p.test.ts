import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type G2pData, generateG2p, loadCmudict, readG2p, writeG2p } from '../../../lib/ml/data/g2p.ts';
import { decodeIds } from '../../../lib/ml/data/vocab.ts';
import { bundleBytes, expectPartition, sameArray, tempDir } from './helpers.ts';

// cmudict is loaded once for this file (the loader caches it per process); the load took about
// 0.3 s on an idle machine, several seconds on a loaded one.
let full: G2pData;
beforeAll(() => {
  loadCmudict();
  full = generateG2p();
});

describe('cmudict loader', () => {
  it('returns the whole dictionary', () => {
    const { dict, symbols } = loadCmudict();
    expect(Object.keys(dict).length).toBeGreaterThan(130_000);
    expect(dict.CAT).toBe('K AE1 T');
    expect(symbols).toContain('ZH');
  });
});

describe('g2p pairs', () => {
  it('keeps lowercase letter words with stress-free ARPAbet and sane sizes', () => {
    expect(full.n).toBeGreaterThan(100_000);
    expect(full.n).toBeLessThan(134_000);
    const i = full.words.indexOf('cat');
    expect(full.phonemes[i]).toEqual(['K', 'AE', 'T']);
    expect(full.words.every((w) => /^[a-z]{2,15}$/.test(w))).toBe(true);
    expect(full.phonemes.every((p) => p.length >= 1 && p.length <= 20 && p.every((s) => /^[A-Z]+$/.test(s)))).toBe(true);
    expect(full.phonemeVocab.size).toBe(4 + 39);
    expect(full.graphemeVocab.size).toBe(4 + 26);
  });

  it('uses the first pronunciation and can keep stress digits', () => {
    const stressed = generateG2p({ size: 2000, stripStress: false, seed: 3 });
    expect(stressed.phonemes.flat().some((p) => /\d$/.test(p))).toBe(true);
    const k = full.words.indexOf('read');
    expect(full.phonemes[k]).toEqual(['R', 'EH', 'D']); // READ is "R EH1 D", READ(1) "R IY1 D"
  });

  it('encodes words and START/phonemes/END that decode back', () => {
    for (const i of [0, 123, full.n - 1]) {
      const x = full.x.subarray(i * full.sourceLen, (i + 1) * full.sourceLen);
      expect(decodeIds(full.graphemeVocab, x).join('')).toBe(full.words[i]);
      const y = full.y.subarray(i * full.targetLen, (i + 1) * full.targetLen);
      expect(y[0]).toBe(full.phonemeVocab.startId);
      expect(decodeIds(full.phonemeVocab, y)).toEqual(full.phonemes[i]);
      expect(full.yLengths[i]).toBe(full.phonemes[i]!.length + 2);
    }
  });

  it('filters by length and takes a fixed-size subset fixed by the seed', () => {
    const a = generateG2p({ size: 500, maxLength: 6, seed: 1 });
    expect(a.n).toBe(500);
    expect(a.words.every((w) => w.length <= 6)).toBe(true);
    expect(generateG2p({ size: 500, maxLength: 6, seed: 1 }).words).toEqual(a.words);
    expect(generateG2p({ size: 500, maxLength: 6, seed: 2 }).words).not.toEqual(a.words);
    expectPartition(a.split, 500);
  });

  it('determinism and round trip', async () => {
    const dir = await tempDir();
    const small = generateG2p({ size: 3000 });
    await writeG2p(join(dir, 'a'), small);
    await writeG2p(join(dir, 'b'), generateG2p({ size: 3000 }));
    const a = await bundleBytes(join(dir, 'a'));
    expect(a.equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    const back = await readG2p(join(dir, 'a'));
    expect(back.words).toEqual(small.words);
    expect(back.phonemes).toEqual(small.phonemes);
    expect(sameArray(back.x, small.x) && sameArray(back.y, small.y)).toBe(true);
    expect(back.phonemeVocab.tokens).toEqual(small.phonemeVocab.tokens);
    expect(back.split).toEqual(small.split);
  });
});
