/**
 * `reports/index.html`: one self-contained page (inline SVG and CSS, no script, no network)
 * that opens from disk: every figure set, the comparison table, each run's backend, training
 * time and fingerprint, and the promotion decisions.
 */
import type { CompareRow, PromotionDecision } from './readers.ts';

/** One figure as the page shows it. */
export interface PageFigure {
  id: string;
  title: string;
  caption: string;
  /** The SVG document text (inlined). */
  svg: string;
}

/** Everything the page shows. */
export interface ReportInput {
  title: string;
  sets: { name: string; title: string; figures: PageFigure[] }[];
  compare: CompareRow[];
  promotion?: { gates: Record<string, number>; decisions: PromotionDecision[] };
  /** Free-form facts shown at the top (e.g. the profile, the git revision). */
  facts?: [string, string][];
}

/** Escapes text for HTML content and attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An SVG document made fit to inline: no XML prolog or doctype, scaled to its container. */
export function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/i, '').replace(/^<svg /, '<svg class="fig" ');
}

const num = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : Number(v.toPrecision(digits)).toString();

const CSS = `
body{font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1f2d3d;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#c9d3dd}
main{max-width:1200px;margin:0 auto;padding:12px 32px 48px}
nav{margin:12px 0;font-size:14px}nav a{margin-right:14px;color:#1f5f99}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:12px 20px;margin:18px 0}
h2{font-size:19px;margin:8px 0 10px}h3{font-size:15px;margin:14px 0 4px}
figure{margin:10px 0 22px;overflow-x:auto}figcaption{font-size:13px;color:#555;max-width:900px}
svg.fig{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e6e6e6;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px;color:#444}
.yes{color:#137333;font-weight:600}.no{color:#a50e0e}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;font-size:14px}dt{color:#666}dd{margin:0}
`;

function compareSection(rows: readonly CompareRow[]): string {
  const keys = ['test_accuracy', 'macro_f1', 'test_mse', 'test_mae', 'parameters'].filter((k) => rows.some((r) => r.metrics[k] !== undefined));
  const head = ['model', 'task', 'primary metric', ...keys, 'backend', 'train time (s)', 'stage', 'fingerprint'];
  const body = rows.map((r) => `<tr><td>${escapeHtml(r.model)}</td><td>${escapeHtml(r.task ?? '—')}</td>` +
    `<td>${r.primary ? `${escapeHtml(r.primary.metric)} ${num(r.primary.value)}` : '—'}</td>` +
    keys.map((k) => `<td class="num">${num(r.metrics[k])}</td>`).join('') +
    `<td>${escapeHtml(r.backend ?? '—')}</td><td class="num">${num(r.trainTimeS, 3)}</td><td>${escapeHtml(r.stage ?? '—')}</td>` +
    `<td><code title="${escapeHtml(r.fingerprint ?? '')}">${escapeHtml(r.fingerprint ? r.fingerprint.slice(0, 12) : '—')}</code></td></tr>`);
  return `<section id="compare"><h2>Comparison of every model</h2>
<p>One row per <code>reports/**/metrics.json</code>; backend and training time from the metrics file, stage and fingerprint from <code>pipeline.lock</code>.</p>
<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${body.join('\n')}
</tbody></table></section>`;
}

function promotionSection(p: NonNullable<ReportInput['promotion']>): string {
  const production = p.decisions.filter((d) => d.production !== null);
  const gates = Object.entries(p.gates).map(([k, v]) => `${escapeHtml(k)} = ${num(v)}`).join(', ');
  return `<section id="promotion"><h2>Model registry and promotion</h2>
<p>Gates: ${gates || '—'}. Production models: ${production.length > 0 ? production.map((d) => `<strong>${escapeHtml(d.model)} v${d.production}</strong>`).join(', ') : '<em>none promoted</em>'}.</p>
<table><thead><tr><th>model</th><th>version</th><th>promoted</th><th>production</th><th>reason</th></tr></thead><tbody>
${p.decisions.map((d) => `<tr><td>${escapeHtml(d.model)}</td><td class="num">${d.version ?? '—'}</td><td class="${d.promoted ? 'yes' : 'no'}">${d.promoted ? 'yes' : 'no'}</td><td class="num">${d.production === null ? '—' : `v${d.production}`}</td><td>${escapeHtml(d.reason)}</td></tr>`).join('\n')}
</tbody></table></section>`;
}

/** Renders the whole page. */
export function renderReportHtml(input: ReportInput): string {
  const sets = input.sets.filter((s) => s.figures.length > 0);
  const nav = [...sets.map((s) => `<a href="#set-${escapeHtml(s.name)}">${escapeHtml(s.title)}</a>`), '<a href="#compare">Comparison</a>',
    ...(input.promotion ? ['<a href="#promotion">Promotion</a>'] : [])].join('');
  const facts = input.facts?.length
    ? `<section id="run"><h2>This run</h2><dl>${input.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl></section>`
    : '';
  const figureSets = sets.map((s) => `<section id="set-${escapeHtml(s.name)}"><h2>${escapeHtml(s.title)}</h2>
${s.figures.map((f) => `<figure id="fig-${escapeHtml(f.id)}"><h3>${escapeHtml(f.title)}</h3>
${inlineSvg(f.svg)}
<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`).join('\n')}
</section>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${CSS}</style></head>
<body><header><h1>${escapeHtml(input.title)}</h1><p>Every figure and number below was produced by the stages of <code>pipeline.yaml</code>.</p></header>
<main><nav>${nav}</nav>
${facts}
${compareSection(input.compare)}
${input.promotion ? promotionSection(input.promotion) : ''}
${figureSets.join('\n')}
</main></body></html>
`;
}
