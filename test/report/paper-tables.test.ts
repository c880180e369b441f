import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUMBERS_TEX, parseNumbersTex } from '../../lib/report/numbers.ts';
import { PUBLISHED_TEX, writePaperInputs } from '../../lib/report/paper-inputs.ts';
import { PAPER_NUMBERS } from '../../lib/report/paper-numbers.ts';
import { paperTables } from '../../lib/report/paper-tables.ts';
import { ANCHORS, type Anchor, formatAnchor, publishedTex } from '../../lib/report/published.ts';
import { makeReportsFixture } from './fixtures.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let root: string;
beforeAll(async () => {
  root = await makeReportsFixture();
  const r = await writePaperInputs(root);
  expect(r.errors).toEqual([]);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('published constants', () => {
  it('live in their own file, apart from the measured numbers that verify checks', async () => {
    const published = parseNumbersTex(await readFile(path.join(root, PUBLISHED_TEX), 'utf8'));
    const measured = parseNumbersTex(await readFile(path.join(root, NUMBERS_TEX), 'utf8'));
    expect([...published.keys()]).toEqual(ANCHORS.map((a) => a.macro));
    expect(published.get('pubSequiturWer')).toBe('24.53');
    expect(published.get('pubToshniwal')).toBeUndefined();
    for (const m of published.keys()) expect(measured.has(m), m).toBe(false);
    for (const m of measured.keys()) expect(m, 'a measured macro named like a constant').not.toMatch(/^(pub|target)[A-Z]/);
  });

  it('prints values, approximate values, ranges and upper bounds', () => {
    const a = (value: Anchor['value'], approx = false): Anchor => ({ macro: 'pubX', what: 'x', value, digits: 0, approx, cite: ['k'], source: 'published', setting: 's' });
    expect(formatAnchor({ ...a(5.88), digits: 2 })).toBe('5.88');
    expect(formatAnchor(a(25, true))).toBe('$\\approx$25');
    expect(formatAnchor(a([30, 46], true))).toBe('$\\approx$30--46');
    expect(formatAnchor(a([0, 30]))).toBe('$\\le$30');
  });

  it('a published number needs a citation key, and every key is in references.bib', async () => {
    expect(() => publishedTex([{ macro: 'pubX', what: 'x', value: 1, digits: 0, cite: [], source: 'published', setting: 's' }])).toThrow(/needs a citation key/);
    const bib = await readFile(path.join(repo, 'paper/references.bib'), 'utf8');
    const keys = new Set([...bib.matchAll(/^@\w+\{([^,]+),/gm)].map((m) => m[1]));
    for (const k of ANCHORS.flatMap((x) => x.cite)) expect(keys.has(k), k).toBe(true);
  });
});

describe('result tables', () => {
  it('hold macros only, each defined in numbers.tex or published.tex', async () => {
    const defined = new Set([
      ...parseNumbersTex(await readFile(path.join(root, NUMBERS_TEX), 'utf8')).keys(),
      ...parseNumbersTex(await readFile(path.join(root, PUBLISHED_TEX), 'utf8')).keys(),
    ]);
    const tables = paperTables();
    expect(Object.keys(tables).sort()).toEqual(['ablation.tex', 'published.tex', 'spam.tex', 'translate.tex']);
    for (const [name, tex] of Object.entries(tables)) {
      expect(await readFile(path.join(root, 'paper/generated/tables', name), 'utf8')).toBe(tex);
      const body = tex.slice(tex.indexOf('\\midrule'));
      // A cell that starts with a digit would be a number no one verifies.
      expect(body, name).not.toMatch(/&\s*[-+]?\d/);
      const used = [...body.matchAll(/\\([A-Za-z]+)/g)].map((m) => m[1]!).filter((m) => /^(pub|target|ex|tr|spam|gtp|dates)[A-Z]/.test(m));
      expect(used.length, name).toBeGreaterThan(0);
      for (const m of used) expect(defined.has(m), `${name}: \\${m}`).toBe(true);
    }
  });

  it('cite the source of each published row and hold every spam cell against the bag-of-words baseline', () => {
    const { 'published.tex': pub, 'spam.tex': spam } = paperTables();
    expect(pub).toContain('Sequitur~\\citep{bisani2008} & \\pubSequiturPer & \\pubSequiturWer \\\\');
    expect(pub).toContain('Small Bi-LSTM + attn. (course) & -- & \\pubSmallAttnWer \\\\');
    expect(pub).toContain('Project target & \\targetGtpPer & \\targetGtpWer \\\\');
    expect(pub).toContain('ConvLSTM~\\citep{shi2015,tan2023}');
    const deltas = PAPER_NUMBERS.filter((d) => d.kind === 'delta').map((d) => d.macro);
    expect(deltas).toHaveLength(7);
    for (const d of deltas) expect(spam).toContain(`\\${d}`);
    expect(spam).toContain('bow logistic & \\spamBowLogisticMaskedAcc & -- & \\spamBowLogisticMaskedFOne');
  });
});
