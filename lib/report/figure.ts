/**
 * A figure as both halves of the project see it: a Vega-Lite spec (→ SVG for the report) and
 * a pgfplots/TikZ picture (→ `\input` by the paper), built from the same data. Writing a set of
 * figures gives `<svgDir>/<id>.svg` + `<svgDir>/figures.json` (titles, captions, order) and
 * `<texDir>/<id>.tex` (+ any raster assets the picture includes).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from './vega-svg.ts';

/** One figure, ready to render. */
export interface Figure {
  /** File stem, kebab-case: `ex1-attention`. */
  id: string;
  title: string;
  /** One or two sentences for the report (the paper writes its own captions). */
  caption: string;
  /** The report's version; `svg` takes precedence when a figure is not a chart (frames). */
  vegaLite?: TopLevelSpec;
  svg?: string;
  /** The paper's version: a complete `tikzpicture` (see `pgf.ts`). */
  tex: string;
  /** Files the tex includes by name (e.g. PNG frames), written beside it. */
  assets?: { name: string; data: Uint8Array }[];
}

/** What `figures.json` lists per figure. */
export interface FigureEntry {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

/** Where `writeFigures` puts things; `texPrefix` is how the paper refers to `texDir` (for assets). */
export interface FigureDirs {
  svgDir: string;
  texDir: string;
}

/** Renders and writes every figure; returns the entries of `figures.json`. */
export async function writeFigures(figures: readonly Figure[], dirs: FigureDirs): Promise<FigureEntry[]> {
  await mkdir(dirs.svgDir, { recursive: true });
  await mkdir(dirs.texDir, { recursive: true });
  const entries: FigureEntry[] = [];
  for (const fig of figures) {
    // The report prints each figure's title above it; a second one inside the SVG is noise.
    const spec = fig.vegaLite ? ({ ...fig.vegaLite, title: undefined } as TopLevelSpec) : undefined;
    const svg = fig.svg ?? (spec ? await renderSvg(spec) : undefined);
    if (svg === undefined) throw new Error(`figure "${fig.id}" has neither svg nor vegaLite`);
    await writeFile(path.join(dirs.svgDir, `${fig.id}.svg`), svg);
    await writeFile(path.join(dirs.texDir, `${fig.id}.tex`), fig.tex);
    for (const a of fig.assets ?? []) await writeFile(path.join(dirs.texDir, a.name), a.data);
    entries.push({ id: fig.id, title: fig.title, caption: fig.caption, svg: `${fig.id}.svg` });
  }
  await writeFile(path.join(dirs.svgDir, 'figures.json'), `${JSON.stringify({ figures: entries }, null, 1)}\n`);
  return entries;
}

/** Vega-Lite's schema URL, so specs validate in editors when dumped. */
export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
