import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DATE_FORMATS,
  MONTHS,
  WEEKDAYS,
  decodeDate,
  formatName,
  generateDates,
  readDates,
  renderDate,
  writeDates,
} from '../../../lib/ml/data/dates.ts';
import { generateMovingMnist, readMovingMnist, writeMovingMnist } from '../../../lib/ml/data/moving-mnist.ts';
import { decodeIds } from '../../../lib/ml/data/vocab.ts';
import { bundleBytes, expectPartition, sameArray, tempDir } from './helpers.ts';

describe('moving digits', () => {
  const data = generateMovingMnist({ n: 24 });
  const px = data.size * data.size;
  const frame = (c: number, f: number) => data.clips.subarray((c * data.frames + f) * px, (c * data.frames + f + 1) * px);
  const centroid = (img: Float32Array): [number, number] => {
    let m = 0;
    let sx = 0;
    let sy = 0;
    img.forEach((v, i) => {
      m += v;
      sx += v * (i % data.size);
      sy += v * Math.floor(i / data.size);
    });
    return [sx / m, sy / m];
  };

  it('has 16 frames of 32×32 values in [0, 1] that are multiples of 1/255', () => {
    expect([data.n, data.frames, data.size]).toEqual([24, 16, 32]);
    expect(data.clips.length).toBe(24 * 16 * 32 * 32);
    expect(data.clips.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
  });

  it('every frame shows ink, every clip 1–2 digit labels, and the digits move', () => {
    let moved = 0;
    for (let c = 0; c < data.n; c++) {
      const labels = Array.from(data.digits.subarray(c * 2, c * 2 + 2)).filter((d) => d >= 0);
      expect(labels.length).toBeGreaterThanOrEqual(1);
      expect(labels.every((d) => d <= 9)).toBe(true);
      for (let f = 0; f < data.frames; f++) expect(Math.max(...frame(c, f))).toBeGreaterThan(0.9);
      const [x0, y0] = centroid(frame(c, 0));
      const [x1, y1] = centroid(frame(c, 5));
      if (Math.hypot(x1 - x0, y1 - y0) > 2) moved++;
    }
    expect(moved).toBeGreaterThan(data.n * 0.7);
    expect(new Set(data.digits).size).toBeGreaterThan(5);
  });

  it('determinism and lossless round trip through uint8', async () => {
    const dir = await tempDir();
    await writeMovingMnist(join(dir, 'a'), data);
    await writeMovingMnist(join(dir, 'b'), generateMovingMnist({ n: 24 }));
    await writeMovingMnist(join(dir, 'c'), generateMovingMnist({ n: 24, seed: 9 }));
    const a = await bundleBytes(join(dir, 'a'));
    expect(a.equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    expect(a.equals(await bundleBytes(join(dir, 'c')))).toBe(false);
    const back = await readMovingMnist(join(dir, 'a'));
    expect(sameArray(back.clips, data.clips)).toBe(true);
    expect(sameArray(back.digits, data.digits)).toBe(true);
    expect(back.split).toEqual(data.split);
    expectPartition(back.split, 24);
  });
});

/**
 * An independent reader of the rendered dates: it knows only the order of day, month and year in
 * each pattern's name, month and weekday names, and the 1950–2049 window for two-digit years.
 */
function parseRendered(src: string, pattern: string): { iso: string; weekday?: string } {
  const order = [...pattern.replace(/\[[^\]]*\]|d+/g, '')].filter((ch) => 'DMY'.includes(ch));
  const fieldOrder = [...new Set(order)];
  let text = src.toLowerCase().replace(/\b(the|of)\b/g, ' ');
  let weekday: string | undefined;
  for (const w of WEEKDAYS) {
    const re = new RegExp(`\\b(${w.toLowerCase()}|${w.slice(0, 3).toLowerCase()})\\b`);
    if (re.test(text)) {
      weekday = w;
      text = text.replace(re, ' ');
    }
  }
  let month: number | undefined;
  MONTHS.forEach((m, i) => {
    const re = new RegExp(`\\b(${m.toLowerCase()}|${m.slice(0, 3).toLowerCase()})\\b`);
    if (re.test(text)) {
      month = i + 1;
      text = text.replace(re, ' ');
    }
  });
  text = text.replace(/(\d+)(st|nd|rd|th)\b/g, '$1');
  let nums = text.split(/[^0-9]+/).filter(Boolean);
  if (nums.length === 1 && nums[0]!.length === 8) nums = [nums[0]!.slice(0, 4), nums[0]!.slice(4, 6), nums[0]!.slice(6)];
  const fields = fieldOrder.filter((f) => !(f === 'M' && month !== undefined));
  const value: Record<string, number> = {};
  fields.forEach((f, i) => (value[f] = Number(nums[i])));
  const yearText = nums[fields.indexOf('Y')]!;
  let year = value.Y!;
  if (yearText.length === 2) year += year < 50 ? 2000 : 1900;
  const m = month ?? value.M!;
  const iso = `${year}-${String(m).padStart(2, '0')}-${String(value.D).padStart(2, '0')}`;
  return weekday === undefined ? { iso } : { iso, weekday };
}

describe('dates', () => {
  const data = generateDates({ n: 3000 });

  it('renders the documented examples', () => {
    const d = { year: 2017, month: 5, day: 3 };
    const all = DATE_FORMATS.map((f) => renderDate(d, f));
    for (const s of ['3 May 2017', 'May 3, 2017', '03/05/17', 'Wednesday, May 3, 2017', '2017.05.03', '3rd of May 2017']) {
      expect(all).toContain(s);
    }
    expect(DATE_FORMATS.length).toBeGreaterThanOrEqual(20);
    expect(renderDate({ year: 2001, month: 11, day: 11 }, { pattern: 'Do' })).toBe('11th');
    expect(renderDate({ year: 2001, month: 11, day: 22 }, { pattern: 'Do' })).toBe('22nd');
  });

  it('every source parses back to its ISO target, weekdays included', () => {
    for (let i = 0; i < data.n; i++) {
      const pattern = formatName(DATE_FORMATS[data.formats[i]!]!);
      const parsed = parseRendered(data.sources[i]!, pattern);
      expect(parsed.iso, `${data.sources[i]} (${pattern})`).toBe(data.targets[i]);
      const real = new Date(`${data.targets[i]}T00:00:00Z`);
      expect(real.toISOString().slice(0, 10)).toBe(data.targets[i]); // a real calendar date
      if (parsed.weekday) expect(parsed.weekday).toBe(WEEKDAYS[real.getUTCDay()]);
    }
    expect(new Set(data.formats).size).toBe(DATE_FORMATS.length);
    const years = data.targets.map((t) => Number(t.slice(0, 4)));
    expect(Math.min(...years)).toBeGreaterThanOrEqual(1950);
    expect(Math.max(...years)).toBeLessThanOrEqual(2049);
  });

  it('encodes sources and targets that decode back, with START/END and no UNK', () => {
    for (const i of [0, 1, 2, 500, data.n - 1]) {
      const x = data.x.subarray(i * data.maxSourceLen, (i + 1) * data.maxSourceLen);
      expect(decodeIds(data.sourceVocab, x).join('')).toBe(data.sources[i]);
      expect(data.xLengths[i]).toBe(data.sources[i]!.length);
      const y = data.y.subarray(i * data.targetLen, (i + 1) * data.targetLen);
      expect(y[0]).toBe(data.targetVocab.startId);
      expect(y[11]).toBe(data.targetVocab.endId);
      expect(decodeDate(y)).toBe(data.targets[i]);
    }
    expect(data.x.includes(data.sourceVocab.unkId)).toBe(false);
  });

  it('determinism, seed sensitivity, disjoint splits and round trip', async () => {
    const dir = await tempDir();
    await writeDates(join(dir, 'a'), data);
    await writeDates(join(dir, 'b'), generateDates({ n: 3000 }));
    await writeDates(join(dir, 'c'), generateDates({ n: 3000, seed: 1 }));
    const a = await bundleBytes(join(dir, 'a'));
    expect(a.equals(await bundleBytes(join(dir, 'b')))).toBe(true);
    expect(a.equals(await bundleBytes(join(dir, 'c')))).toBe(false);
    expectPartition(data.split, data.n);
    const back = await readDates(join(dir, 'a'));
    expect(back.sources).toEqual(data.sources);
    expect(back.targets).toEqual(data.targets);
    expect(sameArray(back.x, data.x)).toBe(true);
    expect(sameArray(back.y, data.y)).toBe(true);
    expect(back.sourceVocab.tokens).toEqual(data.sourceVocab.tokens);
    expect(back.targetVocab.unkId).toBe(3);
    expect(back.split).toEqual(data.split);
  });
});
