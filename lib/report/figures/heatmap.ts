/**
 * Heatmaps (attention maps, alignments, confusion matrices) as a Vega-Lite spec and a
 * pgfplots matrix plot from one description. Labels may repeat (characters of a date), so
 * cells are keyed by index and the axes print the label for each index.
 */
import type { TopLevelSpec } from 'vega-lite';
import { VL_SCHEMA } from '../figure.ts';
import { pgfHeatmap, tikzPicture } from '../pgf.ts';

/** A labelled matrix to draw. */
export interface HeatmapData {
  /** Row labels (top to bottom) and column labels (left to right). */
  rows: string[];
  cols: string[];
  /** values[r][c]. */
  values: number[][];
  xTitle: string;
  yTitle: string;
  valueTitle: string;
  /** Print the value in each cell (confusion matrices). */
  annotate?: boolean;
  /** Show every n-th tick label (long sequences). */
  tickEvery?: { x?: number; y?: number };
  scheme?: string;
}

const SEP = '\u241f'; // a label never contains this, so "index␟label" splits unambiguously

/** The Vega-Lite heatmap; `cell` is the size of one cell in px. */
export function heatmapSpec(d: HeatmapData, title: string, cell = { w: 12, h: 14 }): TopLevelSpec {
  const key = (i: number, label: string) => `${String(i).padStart(4, '0')}${SEP}${label}`;
  const values = d.values.flatMap((row, r) => row.map((v, c) => ({ row: key(r, d.rows[r] ?? ''), col: key(c, d.cols[c] ?? ''), v })));
  const every = (n: number | undefined) => (n && n > 1 ? `toNumber(split(datum.value, '${SEP}')[0]) % ${n} == 0 ? ` : '');
  const labelExpr = (n: number | undefined) => {
    const cond = every(n);
    return `${cond}split(datum.value, '${SEP}')[1]${cond ? " : ''" : ''}`;
  };
  const base = {
    // Word-like column labels (tokens) are turned so that neighbours do not overlap.
    x: { field: 'col', type: 'ordinal', title: d.xTitle, sort: 'ascending', axis: { labelExpr: labelExpr(d.tickEvery?.x), labelAngle: d.cols.some((c) => c.length > 2) ? -50 : 0, grid: false } },
    y: { field: 'row', type: 'ordinal', title: d.yTitle, sort: 'ascending', axis: { labelExpr: labelExpr(d.tickEvery?.y), grid: false } },
  };
  const max = Math.max(...d.values.flat(), 0);
  const layers: unknown[] = [
    { mark: { type: 'rect' }, encoding: { ...base, color: { field: 'v', type: 'quantitative', title: d.valueTitle, scale: { scheme: d.scheme ?? 'viridis', domainMin: 0 } }, tooltip: [{ field: 'v', type: 'quantitative' }] } },
  ];
  if (d.annotate) {
    layers.push({
      mark: { type: 'text', fontSize: 11 },
      encoding: { ...base, text: { field: 'v', type: 'quantitative', format: 'd' }, color: { condition: { test: `datum.v > ${max / 2}`, value: 'white' }, value: 'black' } },
    });
  }
  return {
    $schema: VL_SCHEMA,
    title,
    width: Math.max(80, d.cols.length * cell.w),
    height: Math.max(60, d.rows.length * cell.h),
    data: { values },
    layer: layers,
  } as TopLevelSpec;
}

/** The pgfplots version of the same heatmap (one `tikzpicture`). */
export function heatmapTex(d: HeatmapData, size: { width: string; height: string }): string {
  const axis = pgfHeatmap({
    width: size.width, height: size.height, xlabel: d.xTitle, ylabel: d.yTitle,
    rows: d.rows, cols: d.cols, values: d.values, ...(d.tickEvery ? { tickEvery: d.tickEvery } : {}),
    // Counts read best on a light-to-dark blue ramp (the report's 'blues').
    ...(d.annotate ? { extra: ['colormap={blues}{rgb255=(247,251,255) rgb255=(107,174,214) rgb255=(8,48,107)}'] } : {}),
  });
  if (!d.annotate) return tikzPicture([axis]);
  // Counts on the cells: nodes at (c, r) in axis coordinates, white on the dark half.
  const max = Math.max(...d.values.flat(), 0);
  const nodes = d.values.flatMap((row, r) => row.map((v, c) =>
    `\\node[font=\\scriptsize, text=${v > max / 2 ? 'white' : 'black'}] at (axis cs:${c},${r}) {${v}};`));
  return tikzPicture([axis.replace(/\\end\{axis\}$/, `${nodes.join('\n')}\n\\end{axis}`)]);
}
