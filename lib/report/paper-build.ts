/**
 * Builds the paper with `latexmk` when TeX is installed, and records either way what happened
 * in `build.json` beside the PDF, so the stage always has an output and says clearly why there
 * is no PDF. `SOURCE_DATE_EPOCH` pins pdfTeX's dates, so the same sources give the same PDF.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What `build.json` records. */
export type PaperBuild =
  /** `bodyPages`: the pages before the references (the paper aims at about 4); null without pdftotext. */
  | { built: true; pdf: string; pages: number | null; bodyPages: number | null; latexmk: string }
  /** `skipped`: TeX is not installed (not an error); otherwise the build failed. */
  | { built: false; skipped: boolean; reason: string; log?: string };

/** Options of `buildPaper`; paths relative to `root`. */
export interface BuildPaperOptions {
  /** Directory holding `main.tex` (default `paper`). */
  paperDir?: string;
  /** Where `main.pdf` and `build.json` go (default `paper/build`). */
  outDir?: string;
  /** The latexmk executable (default `latexmk`, found on PATH). */
  latexmk?: string;
}

/** The first line of `latexmk -v`, or undefined when latexmk cannot run. */
export function latexmkVersion(bin = 'latexmk'): string | undefined {
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? 'latexmk';
}

/** Pages of a PDF: `pdfinfo` when installed, else a count of page objects. */
export async function pdfPageCount(file: string): Promise<number | null> {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const m = r.status === 0 ? /^Pages:\s+(\d+)/m.exec(r.stdout) : null;
  if (m) return Number(m[1]);
  const bytes = (await readFile(file)).toString('latin1');
  const n = bytes.match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
  return n > 0 ? n : null;
}

/**
 * Pages before the one where the references start (a line that is just "References"), from
 * poppler's `pdftotext`, which separates pages with form feeds; null when it is not installed or
 * there is no such line.
 */
export function bodyPageCount(file: string): number | null {
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) return null;
  const i = r.stdout.split('\f').findIndex((page) => /^References\s*$/m.test(page));
  return i >= 0 ? i : null;
}

/** Builds `main.pdf` (or records why not) and writes `build.json`; returns the record. */
export async function buildPaper(root: string, opts: BuildPaperOptions = {}): Promise<PaperBuild> {
  const paperDir = path.join(root, opts.paperDir ?? 'paper');
  const outDir = path.join(root, opts.outDir ?? 'paper/build');
  await mkdir(outDir, { recursive: true });
  const version = latexmkVersion(opts.latexmk);
  let record: PaperBuild;
  if (version === undefined) {
    record = { built: false, skipped: true, reason: 'latexmk is not installed (Debian: apt-get install latexmk texlive-latex-extra texlive-pictures texlive-fonts-recommended); the PDF was not built.' };
  } else {
    const work = await mkdtemp(path.join(tmpdir(), 'seqlab-paper-'));
    try {
      const r = spawnSync(opts.latexmk ?? 'latexmk', ['-pdf', '-interaction=nonstopmode', '-halt-on-error', '-file-line-error', `-outdir=${work}`, 'main.tex'], {
        cwd: paperDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', FORCE_SOURCE_DATE: '1' },
      });
      const pdf = path.join(work, 'main.pdf');
      if (r.status === 0) {
        await copyFile(pdf, path.join(outDir, 'main.pdf'));
        record = { built: true, pdf: path.relative(root, path.join(outDir, 'main.pdf')).split(path.sep).join('/'), pages: await pdfPageCount(pdf), bodyPages: bodyPageCount(pdf), latexmk: version };
      } else {
        const log = await readFile(path.join(work, 'main.log'), 'utf8').catch(() => `${r.stdout}\n${r.stderr}`);
        const errors = log.split('\n').filter((l) => /^(!|.*:\d+: )/.test(l)).slice(0, 12).join('\n');
        record = { built: false, skipped: false, reason: `latexmk failed with exit code ${r.status ?? r.signal}`, log: errors || log.slice(-3000) };
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  await writeFile(path.join(outDir, 'build.json'), `${JSON.stringify(record, null, 1)}\n`);
  return record;
}
