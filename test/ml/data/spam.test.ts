import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type SpamData,
  cleanEmail,
  generateSpam,
  loadSpamAssassin,
  readSpam,
  tokenizeEmail,
  writeSpam,
} from '../../../lib/ml/data/spam.ts';
import { decodeIds } from '../../../lib/ml/data/vocab.ts';
import { bundleBytes, expectPartition, sameArray, tempDir } from './helpers.ts';

// The corpus is loaded once for this file (the loader caches it per process): about 0.4 s on an
// idle machine for 6,046 JSON files.
let data: SpamData;
beforeAll(() => {
  loadSpamAssassin();
  data = generateSpam();
});

const MAIL = [
  'From: someone@example.com',
  'Subject: WIN a PRIZE',
  'Content-Type: text/html',
  '',
  '<html><body><style>p {color: red}</style><p>Hello   FRIEND &amp; co,</p>',
  'Visit http://win.example.com/now?id=3 or mail me at Lucky.Guy@prizes.net!',
  'Only $1,000.50 for 3 days!<br></body></html>',
].join('\r\n');

describe('cleaning', () => {
  it('strips headers and HTML, replaces URLs, addresses and numbers', () => {
    expect(tokenizeEmail(MAIL)).toEqual([
      'hello', 'friend', 'co', 'visit', '<url>', 'or', 'mail', 'me', 'at', '<email>', '!',
      'only', '$', '<num>', 'for', '<num>', 'days', '!',
    ]);
    expect(cleanEmail(MAIL)).not.toMatch(/example\.com|color|subject/);
    expect(tokenizeEmail(MAIL, { keepSubject: true }).slice(0, 3)).toEqual(['win', 'a', 'prize']);
  });
});

describe('spam data set', () => {
  it('has the whole corpus with both classes and sane lengths', () => {
    expect(data.n).toBe(6046);
    expect(data.y.reduce((a, b) => a + b, 0)).toBe(1896);
    expect(data.maxLen).toBe(200);
    expect(data.x.length).toBe(6046 * 200);
    const mean = data.lengths.reduce((a, b) => a + b, 0) / data.n;
    expect(mean).toBeGreaterThan(50);
    expect(Math.max(...data.lengths)).toBe(200);
    expect(data.vocab.size).toBeGreaterThan(5000);
    expect(data.vocab.size).toBeLessThanOrEqual(20000);
    expect([data.vocab.padId, data.vocab.unkId]).toEqual([0, 1]);
  });

  it('pads after the tokens and keeps lengths for masks', () => {
    const short = Array.from(data.lengths.keys()).find((i) => data.lengths[i]! < 200)!;
    const row = data.x.subarray(short * 200, short * 200 + 200);
    const len = data.lengths[short]!;
    expect(row.subarray(len).every((v) => v === 0)).toBe(true);
    expect(row.subarray(0, len).every((v) => v !== 0)).toBe(true);
  });

  it('builds the vocabulary on the training split only', () => {
    // words that occur only outside the training split must be OOV
    const trainTokens = new Set<string>();
    const raw = loadSpamAssassin();
    const byId = new Map(raw.map((m) => [`${m.group}/${m.id}`, m]));
    for (const i of data.split.train) for (const t of tokenizeEmail(byId.get(data.sources[i]!)!.text)) trainTokens.add(t);
    expect(data.vocab.tokens.slice(2).every((t) => trainTokens.has(t))).toBe(true);
    let oov = 0;
    for (const i of data.split.test) for (const id of data.x.subarray(i * 200, i * 200 + data.lengths[i]!)) if (id === 1) oov++;
    expect(oov).toBeGreaterThan(0);
  });

  it('stratified splits fixed by the seed', () => {
    expectPartition(data.split, data.n);
    const rate = (idx: Int32Array) => Array.from(idx).filter((i) => data.y[i] === 1).length / idx.length;
    expect(rate(data.split.val)).toBeCloseTo(1896 / 6046, 2);
    expect(rate(data.split.test)).toBeCloseTo(1896 / 6046, 2);
  });

  it('subset, pre padding and pre truncation, determinism and round trip', async () => {
    const opts = { size: 600, padding: 'pre' as const, truncating: 'pre' as const, maxLen: 50, seed: 5 };
    const a = generateSpam(opts);
    expect(Math.abs(a.n - 600)).toBeLessThanOrEqual(2);
    const longRow = Array.from(a.lengths.keys()).find((i) => a.lengths[i] === 50)!;
    const src = loadSpamAssassin().find((m) => `${m.group}/${m.id}` === a.sources[longRow])!;
    const tokens = tokenizeEmail(src.text);
    const decoded = decodeIds(a.vocab, a.x.subarray(longRow * 50, longRow * 50 + 50), { skipSpecials: false });
    expect(decoded.filter((t) => t !== '<unk>')).toEqual(tokens.slice(-50).filter((t) => a.vocab.ids.has(t)));
    const shortRow = Array.from(a.lengths.keys()).find((i) => a.lengths[i]! < 50)!;
    expect(a.x[shortRow * 50]).toBe(0);

    const dir = await tempDir();
    await writeSpam(join(dir, 'a'), a);
    await writeSpam(join(dir, 'b'), generateSpam(opts));
    await writeSpam(join(dir, 'c'), generateSpam({ ...opts, seed: 6 }));
    const bytes = await bundleBytes(join(dir, 'a'));
    expect(bytes.equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    expect(bytes.equals(await bundleBytes(join(dir, 'c')))).toBe(false);
    const back = await readSpam(join(dir, 'a'));
    expect(sameArray(back.x, a.x) && sameArray(back.y, a.y) && sameArray(back.lengths, a.lengths)).toBe(true);
    expect(back.vocab.tokens).toEqual(a.vocab.tokens);
    expect(back.sources).toEqual(a.sources);
    expect(back.split).toEqual(a.split);
  });
});
