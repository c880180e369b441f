/**
 * Assembles `reports/index.html` from what the figure stages wrote (`reports/figures/<set>/
 * figures.json` + SVGs), the comparison table and the promotion decisions.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Fields, readJsonIfExists } from './data.ts';
import { type PageFigure, type ReportInput, renderReportHtml } from './html.ts';
import { productionModels, readCompare, readPromotion } from './readers.ts';

/** A figure set the page shows, in order. */
export interface ReportSet {
  /** Directory name under `reports/figures`. */
  name: string;
  title: string;
}

/** The sets known today, in the page's order; sets whose directory is missing are left out. */
export const DEFAULT_SETS: readonly ReportSet[] = [
  { name: 'ex1', title: 'Exercise 1: GRU + attention classifier' },
  { name: 'ex2', title: 'Exercise 2: attention forecaster' },
  { name: 'ex3', title: 'Exercise 3: temporal latent model and ablations' },
  { name: 'dates', title: 'Translation: date normalisation' },
  { name: 'g2p', title: 'Grapheme → phoneme' },
  { name: 'spam', title: 'Spam classification' },
  { name: 'theory', title: 'Theory: why 1/√d_k' },
];

/** Options of `buildReport`; paths relative to `root`. */
export interface BuildReportOptions {
  sets?: readonly ReportSet[];
  figuresDir?: string;
  compareFile?: string;
  promotionFile?: string;
  out?: string;
  title?: string;
  /** The profile the numbers come from (the `profile` param); another than 'default' is stamped on the page. */
  profile?: string;
}

async function readSet(root: string, dir: string): Promise<PageFigure[] | undefined> {
  const file = path.join(root, dir, 'figures.json');
  const doc = await readJsonIfExists(file);
  if (doc === undefined) return undefined;
  const f = new Fields(file);
  const list = f.arr(f.obj(doc, '(root)').figures, 'figures');
  return Promise.all(list.map(async (e, i) => {
    const o = f.obj(e, `figures[${i}]`);
    const svgFile = f.str(o.svg, `figures[${i}].svg`);
    return {
      id: f.str(o.id, `figures[${i}].id`),
      title: f.optStr(o.title) ?? '',
      caption: f.optStr(o.caption) ?? '',
      svg: await readFile(path.join(root, dir, svgFile), 'utf8'),
    };
  }));
}

/** Writes the page; returns its path and how many figures it holds. */
export async function buildReport(root: string, opts: BuildReportOptions = {}): Promise<{ file: string; figures: number; sets: string[] }> {
  const figuresDir = opts.figuresDir ?? 'reports/figures';
  const sets: ReportInput['sets'] = [];
  for (const s of opts.sets ?? DEFAULT_SETS) {
    const figures = await readSet(root, path.join(figuresDir, s.name));
    if (figures) sets.push({ ...s, figures });
  }
  const compare = await readCompare(path.join(root, opts.compareFile ?? 'reports/compare.json'));
  const promotionPath = path.join(root, opts.promotionFile ?? 'reports/promotion.json');
  const promotion = (await readJsonIfExists(promotionPath)) === undefined ? undefined : await readPromotion(promotionPath);
  const backends = [...new Set(compare.map((r) => r.backend).filter((b): b is string => b !== null))];
  const production = productionModels(promotion?.decisions ?? []).map((d) => `${d.model} v${d.version}${d.member ? ` (${d.member})` : ''}`);
  const facts: [string, string][] = [
    ['models compared', String(compare.length)],
    ['backends', backends.join(', ') || '—'],
    // No training time here: wall times vary per run and live in the run log, not in outs.
    ['production models', production.join(', ') || 'none promoted'],
    ['figures', String(sets.reduce((n, s) => n + s.figures.length, 0))],
  ];
  // Neither the clock nor the commit: the page is a cached stage out that a clean clone must
  // reproduce bit for bit (scripts/check-reproduction.sh), and a page naming its commit would
  // differ at every commit. The run that built it (time, commit) is in `pipeline runs`.
  const provenance = {
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    versions: [`Node ${process.versions.node.split('.')[0]}`, ...backends].join(', '),
  };
  const html = renderReportHtml({
    title: opts.title ?? 'seqlab — attention and sequence models: results', sets, compare, ...(promotion ? { promotion } : {}), facts, provenance,
  });
  const out = path.join(root, opts.out ?? 'reports/index.html');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, html);
  return { file: out, figures: sets.reduce((n, s) => n + s.figures.length, 0), sets: sets.map((s) => s.name) };
}
