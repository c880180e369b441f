import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPaper, latexmkVersion } from '../../lib/report/paper-build.ts';
import { writePaperInputs } from '../../lib/report/paper-inputs.ts';
import { ex1Figures, ex2Figures, ex3Figures, theoryFigures, writeFigureSet } from '../../lib/report/sets.ts';
import { g2pFigures, seq2seqFigures, spamFigures } from '../../lib/report/sets-seq.ts';
import { makeReportsFixture } from './fixtures.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tex = latexmkVersion();
const pdftotext = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' }).status === 0;

/** The text of each page of a PDF (poppler's pdftotext separates pages with form feeds). */
function pageTexts(pdf: string): string[] {
  const out = spawnSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).stdout;
  return out.split('\f').filter((t) => t.trim() !== '');
}
if (!tex) console.warn('test/report/paper-build: SKIPPING the PDF builds: latexmk is not installed (apt-get install latexmk texlive-latex-extra texlive-pictures texlive-fonts-recommended).');

let root: string;
beforeAll(async () => {
  root = await makeReportsFixture();
  await mkdir(path.join(root, 'paper'), { recursive: true });
  for (const f of ['main.tex', 'references.bib', 'seqlab.sty']) await copyFile(path.join(repo, 'paper', f), path.join(root, 'paper', f));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the paper stage', () => {
  it('without TeX it records a skip in build.json instead of failing', async () => {
    const r = await buildPaper(root, { latexmk: path.join(root, 'no-such-latexmk'), outDir: 'paper/build-skip' });
    expect(r).toMatchObject({ built: false, skipped: true });
    const record = JSON.parse(await readFile(path.join(root, 'paper/build-skip/build.json'), 'utf8')) as { reason: string };
    expect(record.reason).toMatch(/^latexmk is not installed/);
  });

  let figuresWritten = false;
  async function writeInputs(profile?: string): Promise<void> {
    if (!figuresWritten) {
      await writeFigureSet(root, 'ex1', await ex1Figures(root));
      await writeFigureSet(root, 'ex2', await ex2Figures(root));
      await writeFigureSet(root, 'theory', await theoryFigures(root));
      await writeFigureSet(root, 'ex3', await ex3Figures(root));
      await writeFigureSet(root, 'dates', await seq2seqFigures(root, ['reports/translate', 'reports/translate-encoder'], { set: 'dates', label: 'Dates', metrics: ['test_exact_match', 'test_bleu'] }));
      await writeFigureSet(root, 'spam', await spamFigures(root, 'reports/spam'));
      await writeFigureSet(root, 'g2p', await g2pFigures(root));
      figuresWritten = true;
    }
    await writePaperInputs(root, profile !== undefined ? { profile } : {});
  }

  it.skipIf(!tex)('builds paper/main.tex from generated figures, tables and numbers (about 4 pages + references)', async () => {
    await writeInputs();
    const r = await buildPaper(root);
    if (!r.built) throw new Error(`paper build failed: ${r.reason}\n${r.log ?? ''}`);
    expect(r.pdf).toBe('paper/build/main.pdf');
    expect(r.pages).toBeGreaterThanOrEqual(5);
    expect(r.pages).toBeLessThanOrEqual(7);
    if (pdftotext) {
      expect(r.bodyPages, 'pages before the references').toBeGreaterThanOrEqual(4);
      expect(r.bodyPages, 'pages before the references').toBeLessThanOrEqual(5);
      const text = pageTexts(path.join(root, 'paper/build/main.pdf')).join('\n');
      // Every section the course asks for, and no macro left undefined or unexpanded.
      for (const heading of ['Abstract', 'Introduction', 'Related work', 'Proposed method', 'Experiments', 'Ablation study', 'Qualitative analysis', 'Conclusion and limitations', 'References']) expect(text).toContain(heading);
      expect(text).toContain('Sequitur');
      expect(text).not.toContain('n/a');
      expect(text).not.toMatch(/not produced by this (pipeline )?run/);
    }
    const pdf = await readFile(path.join(root, 'paper/build/main.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pageTexts(path.join(root, 'paper/build/main.pdf')).some((t) => t.includes('not results'))).toBe(false);
  }, 180_000);

  it.skipIf(!tex)('the same sources give the same PDF bytes (no dates, no trailer ID from the temporary build path)', async () => {
    await writeInputs();
    const a = await buildPaper(root, { outDir: 'paper/build-a' });
    const b = await buildPaper(root, { outDir: 'paper/build-b' });
    if (!a.built || !b.built) throw new Error('paper build failed');
    const [pa, pb] = await Promise.all([readFile(path.join(root, 'paper/build-a/main.pdf')), readFile(path.join(root, 'paper/build-b/main.pdf'))]);
    expect(pa.equals(pb)).toBe(true);
  }, 240_000);

  it.skipIf(!tex || !pdftotext)('a build from another profile is stamped on every page', async () => {
    await writeInputs('smoke');
    const r = await buildPaper(root, { outDir: 'paper/build-smoke' });
    if (!r.built) throw new Error(`paper build failed: ${r.reason}\n${r.log ?? ''}`);
    const pages = pageTexts(path.join(root, 'paper/build-smoke/main.pdf'));
    expect(pages.length).toBeGreaterThanOrEqual(4);
    for (const [i, text] of pages.entries()) expect(text.replace(/\s+/g, ' '), `page ${i + 1}`).toContain('Profile “smoke”: reduced sizes for a quick check. These numbers are not results.');
  }, 180_000);

  it.skipIf(!tex)('a TeX error fails the build and keeps the offending line', async () => {
    const dir = path.join(root, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'main.tex'), '\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n\\end{document}\n');
    const r = await buildPaper(root, { paperDir: 'broken', outDir: 'broken/build' });
    expect(r).toMatchObject({ built: false, skipped: false });
    expect(r.built === false && r.log).toMatch(/main\.tex:3: Undefined control sequence/);
  }, 120_000);
});
