/**
 * `reports/index.html`: one self-contained page (inline SVG and CSS, no script, no network)
 * that opens from disk: every figure set, the comparison table, each run's backend, training
 * time and fingerprint, and the promotion decisions.
 */
import { type CompareRow, type PromotionDecision, productionModels } from './readers.ts';

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
  /** What the page was built from, in the header: deterministic (a commit, not a clock). */
  provenance?: { profile?: string; versions?: string };
}

/** Escapes text for HTML content and attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * An SVG document made fit to inline: no XML prolog or doctype, its ids prefixed with `prefix`,
 * and an accessible name. Vega numbers its gradients and clip paths per document
 * (`gradient_0` in every figure): inlined side by side, each `url(#gradient_0)` would paint with
 * the first figure's gradient (a viridis legend over a blue matrix).
 */
export function inlineSvg(svg: string, prefix: string, label: string): string {
  const ids = new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!));
  const local = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/<!DOCTYPE[^>]*>\s*/i, '')
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${local(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${local(id)})`)
    .replace(/((?:xlink:)?href)="#([^"]+)"/g, (_, attr: string, id: string) => `${attr}="#${local(id)}"`)
    .replace(/^<svg ((?:[^>]*?\s)?)class="[^"]*"/, '<svg $1')
    .replace(/^<svg /, `<svg class="fig" role="img" aria-label="${escapeHtml(label)}" `);
}

/** A table in a card that scrolls sideways inside the card, not the page, when it is wider. */
function scrollTable(label: string, table: string): string {
  return `<div class="scroll" role="region" aria-label="${escapeHtml(label)}" tabindex="0">${table}</div>`;
}

const num = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : Number(v.toPrecision(digits)).toString();

/** The look of the report pages (index.html and history.html). */
export const REPORT_CSS = `
body{font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1f2d3d;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#dde4eb}
header code{color:#fff;background:#33475c;padding:0 4px;border-radius:3px}
.stamp{display:inline-block;margin:6px 0 0;padding:2px 10px;border-radius:4px;background:#ffd54f;color:#1d1d1f;font-weight:600}
main{max-width:1200px;margin:0 auto;padding:12px 32px 48px}
.scroll{overflow-x:auto;max-width:100%}
nav{margin:12px 0;font-size:14px}nav a{margin-right:14px;color:#1f5f99}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:12px 20px;margin:18px 0}
h2{font-size:19px;margin:8px 0 10px}h3{font-size:15px;margin:14px 0 4px}
figure{margin:10px 0 22px;overflow-x:auto}figcaption{font-size:13px;color:#555;max-width:900px}
svg.fig{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e6e6e6;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px;color:#444}
.yes{color:#137333;font-weight:600}.no{color:#a50e0e}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;font-size:14px}dt{color:#595959}dd{margin:0;overflow-wrap:anywhere}
@media (max-width:700px){header{padding:14px 16px}main{padding:8px 10px 32px}section{padding:10px 12px}
svg.fig{max-width:none}nav a{display:inline-block;margin:2px 12px 2px 0}}
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
${scrollTable('Comparison of every model (scrolls sideways)', `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${body.join('\n')}
</tbody></table>`)}</section>`;
}

function promotionSection(p: NonNullable<ReportInput['promotion']>): string {
  const production = productionModels(p.decisions);
  const gates = Object.entries(p.gates).map(([k, v]) => `${escapeHtml(k)} = ${num(v)}`).join(', ');
  return `<section id="promotion"><h2>Model registry and promotion</h2>
<p>Gates: ${gates || '—'}. Production models: ${production.length > 0 ? production.map((d) => `<strong>${escapeHtml(d.model)} v${d.version}</strong>${d.member ? ` (${escapeHtml(d.member)})` : ''}`).join(', ') : '<em>none promoted</em>'}.</p>
${scrollTable('Promotion decisions', `<table><thead><tr><th>model</th><th>version</th><th>promoted</th><th>production</th><th>reason</th></tr></thead><tbody>
${p.decisions.map((d) => `<tr><td>${escapeHtml(d.model)}</td><td class="num">${d.version ?? '—'}</td><td class="${d.promoted ? 'yes' : 'no'}">${d.promoted ? 'yes' : 'no'}</td><td class="num">${d.production === null ? '—' : `v${d.production}`}</td><td>${escapeHtml(d.reason)}</td></tr>`).join('\n')}
</tbody></table>`)}</section>`;
}

/** The header's "built from" line; a profile other than the default is stamped, not just stated. */
function provenanceLine(p: ReportInput['provenance']): string {
  if (!p) return '';
  const parts = [`profile <strong>${escapeHtml(p.profile ?? 'default')}</strong>`, ...(p.versions ? [escapeHtml(p.versions)] : [])];
  const stamp = p.profile !== undefined && p.profile !== 'default'
    ? `<p class="stamp" role="note">Profile “${escapeHtml(p.profile)}”: reduced sizes for a quick check. These numbers are not results.</p>`
    : '';
  return `<p>Built from ${parts.join(' · ')}</p>${stamp}`;
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
${inlineSvg(f.svg, `fig-${f.id}`, f.title || f.id)}
<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`).join('\n')}
</section>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${REPORT_CSS}</style></head>
<body><header><h1>${escapeHtml(input.title)}</h1><p>Every figure and number below was produced by the stages of <code>pipeline.yaml</code>.</p>
${provenanceLine(input.provenance)}</header>
<main><nav>${nav}</nav>
${facts}
${compareSection(input.compare)}
${input.promotion ? promotionSection(input.promotion) : ''}
${figureSets.join('\n')}
</main></body></html>
`;
}
