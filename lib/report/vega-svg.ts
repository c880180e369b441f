/**
 * Vega-Lite → SVG without a browser: compile to Vega, run a headless `View` (renderer 'none')
 * and serialise with `toSVG`. Text widths are estimated by Vega when no canvas package is
 * installed, which is fine for axis layout.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The look shared by every figure of the report (fonts, sizes, a white background). */
export const reportConfig = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 10, titleFontSize: 11, grid: true, gridOpacity: 0.4 },
  legend: { labelFontSize: 10, titleFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' },
  view: { stroke: '#ccc' },
} as const;

/** Renders a Vega-Lite spec (data inline) to an SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...reportConfig, ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = compile(withConfig).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
