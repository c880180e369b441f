/**
 * `reports/history.html`: key metrics across the recorded runs (`.pipeline/logs/runs.jsonl`), one
 * plot per metric, one line per stage. Not a stage out: it changes with every run while the
 * stages' inputs do not, so putting it in the cached `reports/index.html` would make that page
 * vary between runs of the same inputs. `pipeline history` writes it on request.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { RunLogLine } from '../engine/reporters/run-log.ts';
import { REPORT_CSS, escapeHtml, inlineSvg } from './html.ts';
import { renderSvg } from './vega-svg.ts';

/** One measured value: which run, which stage, which metric. */
export interface HistoryPoint {
  run: string;
  /** 1-based position in the log: runs are evenly spaced whatever their dates. */
  index: number;
  startedAt: string;
  label: string;
  stage: string;
  metric: string;
  value: number;
}

/** The numeric headline metrics of each run, flattened; runs without metrics add nothing. */
export function historyPoints(runs: readonly (RunLogLine & { id: string })[]): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (const [i, r] of runs.entries()) {
    const label = [r.name, ...(r.set ?? [])].filter(Boolean).join(' ') || r.id;
    for (const [stage, m] of Object.entries(r.metrics ?? {})) {
      for (const [metric, value] of Object.entries(m)) {
        if (typeof value === 'number' && Number.isFinite(value)) points.push({ run: r.id, index: i + 1, startedAt: r.startedAt, label, stage, metric, value });
      }
    }
  }
  return points;
}

function spec(metric: string, points: HistoryPoint[]): TopLevelSpec {
  return {
    width: 520,
    height: 220,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'index', type: 'quantitative', title: 'run (in the order recorded)', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'stage', type: 'nominal', title: 'stage' },
      tooltip: [{ field: 'run' }, { field: 'label' }, { field: 'stage' }, { field: 'value' }],
    },
  } as TopLevelSpec;
}

/** Writes the page to `out` (relative to `root`); returns how many plots it holds. */
export async function writeHistoryPage(root: string, runs: readonly (RunLogLine & { id: string })[], out: string): Promise<{ file: string; plots: number; runs: number }> {
  const points = historyPoints(runs);
  const metrics = [...new Set(points.map((p) => p.metric))].sort();
  const figures: string[] = [];
  for (const metric of metrics) {
    const mine = points.filter((p) => p.metric === metric);
    const svg = await renderSvg(spec(metric, mine));
    const id = `history-${metric.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    figures.push(`<figure id="fig-${escapeHtml(id)}"><h3>${escapeHtml(metric)}</h3>\n${inlineSvg(svg, `fig-${id}`, `${metric} across runs`)}\n<figcaption>${mine.length} value(s) from ${new Set(mine.map((p) => p.run)).size} run(s).</figcaption></figure>`);
  }
  const rows = runs.map((r, i) => `<tr><td class="num">${i + 1}</td><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.startedAt.slice(0, 16).replace('T', ' '))}</td><td><code>${escapeHtml(r.commit ?? '—')}</code></td><td>${escapeHtml(r.profile ?? 'default')}</td><td>${escapeHtml([r.name ? `[${r.name}]` : '', ...(r.set ?? [])].filter(Boolean).join(' ') || '—')}</td></tr>`);
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>seqlab — run history</title><style>${REPORT_CSS}</style></head>
<body><header><h1>seqlab — run history</h1><p>Headline metrics of every recorded run (<code>.pipeline/logs/runs.jsonl</code>) of the stages it ran or restored.</p></header>
<main><section id="plots"><h2>Key metrics across runs</h2>
${figures.join('\n') || '<p>No run recorded metrics yet.</p>'}
</section>
<section id="runs"><h2>Runs</h2><div class="scroll" role="region" aria-label="Runs" tabindex="0"><table><thead><tr><th>#</th><th>id</th><th>started (UTC)</th><th>commit</th><th>profile</th><th>overrides</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div></section></main></body></html>
`;
  const file = path.join(root, out);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, html);
  return { file, plots: figures.length, runs: runs.length };
}
