/**
 * Line charts: learning curves, forecasts against truth, error per frame index and the theory
 * curves. One long-format table (`panel`, `series`, `x`, `y`) drives both the Vega-Lite spec
 * (one chart per panel, side by side) and the pgfplots axes.
 */
import type { TopLevelSpec } from 'vega-lite';
import { VL_SCHEMA } from '../figure.ts';
import { type LineSeries, pgfLines, tikzPicture } from '../pgf.ts';

/** One panel of a line figure. */
export interface LinePanel {
  title: string;
  xTitle: string;
  yTitle: string;
  series: { name: string; points: [number, number][]; dashed?: boolean }[];
  xLog?: boolean;
  yLog?: boolean;
}

/** Vega-Lite: the panels side by side, each with its own scales and a shared colour legend. */
export function linesSpec(title: string, panels: readonly LinePanel[], size = { width: 260, height: 170 }): TopLevelSpec {
  const charts = panels.map((p) => ({
    title: p.title,
    width: size.width,
    height: size.height,
    data: { values: p.series.flatMap((s) => s.points.map(([x, y]) => ({ series: s.name, x, y, dashed: s.dashed === true }))) },
    mark: { type: 'line', point: { size: 14 }, strokeWidth: 1.6 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: p.xTitle, scale: p.xLog ? { type: 'log', base: 2 } : { zero: false } },
      y: { field: 'y', type: 'quantitative', title: p.yTitle, scale: p.yLog ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
      strokeDash: { field: 'dashed', type: 'nominal', legend: null, scale: { domain: [false, true], range: [[1, 0], [5, 3]] } },
    },
  }));
  return { $schema: VL_SCHEMA, title, hconcat: charts, resolve: { scale: { color: 'shared' } } } as TopLevelSpec;
}

/** pgfplots: the panels side by side in one tikzpicture. */
export function linesTex(panels: readonly LinePanel[], size: { width: string; height: string }): string {
  const axes = panels.map((p) =>
    pgfLines({
      width: size.width, height: size.height, title: p.title, xlabel: p.xTitle, ylabel: p.yTitle,
      ...(p.xLog ? { xmode: 'log' as const, xlogBase: 2 } : {}), ...(p.yLog ? { ymode: 'log' as const } : {}),
      series: p.series.map((s, k): LineSeries => ({
        name: s.name, points: s.points,
        style: `${['blue!70!black', 'red!75!black', 'green!50!black', 'orange!90!black', 'violet', 'teal'][k % 6]}, thick${s.dashed ? ', dashed' : ''}${s.points.length <= 30 ? ', mark=*' : ', mark=none'}`,
      })),
    }));
  // Only the first panel carries a legend: the series are the same in every panel.
  return tikzPicture(axes.map((a, i) => (i === 0 ? a : a.replace(/\n\\addlegendentry\{[^\n]*\}/g, ''))));
}
