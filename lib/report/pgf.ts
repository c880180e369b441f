/**
 * pgfplots source generated from data, so the paper's figures are vectors LaTeX typesets in
 * the paper's own fonts. Each function returns one `axis` environment; `tikzPicture` wraps
 * one or more of them side by side.
 */

/**
 * Escapes text for LaTeX (labels, tick labels, legend entries). A label written entirely as
 * maths (`$d_k$`) is passed through, so figure builders can ask for typeset symbols.
 */
export function escapeTex(s: string): string {
  if (/^\$[^$]+\$$/.test(s)) return s;
  // pdfLaTeX without extra fonts cannot set arbitrary Unicode (mail tokens, arrows): use ASCII.
  const ascii = s.replace(/→/g, '->').replace(/[^\x20-\x7e]/g, '?');
  return ascii.replace(/[\\{}$&#^_%~]/g, (c) => {
    switch (c) {
      case '\\': return '\\textbackslash{}';
      case '^': return '\\textasciicircum{}';
      case '~': return '\\textasciitilde{}';
      default: return `\\${c}`;
    }
  });
}

/** A number as pgfplots reads it: short, no exponent surprises. */
export function texNum(v: number): string {
  if (!Number.isFinite(v)) return 'nan';
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(5)).toString();
}

/** Common axis options. */
export interface AxisOptions {
  /** TeX dimensions, e.g. `0.45\\linewidth`, `4cm`. */
  width: string;
  height: string;
  xlabel?: string;
  ylabel?: string;
  title?: string;
  /** Extra raw pgfplots options appended as is. */
  extra?: string[];
}

function axisOptions(o: AxisOptions, more: string[]): string {
  const opts = [
    `width=${o.width}`, `height=${o.height}`, 'scale only axis',
    ...(o.xlabel ? [`xlabel={${escapeTex(o.xlabel)}}`] : []),
    ...(o.ylabel ? [`ylabel={${escapeTex(o.ylabel)}}`] : []),
    ...(o.title ? [`title={${escapeTex(o.title)}}`] : []),
    'tick label style={font=\\scriptsize}', 'label style={font=\\footnotesize}', 'title style={font=\\footnotesize}',
    ...more, ...(o.extra ?? []),
  ];
  return `[\n  ${opts.join(',\n  ')}\n]`;
}

/** One line of a line plot. */
export interface LineSeries {
  name: string;
  points: [number, number][];
  /** Raw pgfplots style, e.g. `dashed, blue`. */
  style?: string;
}

const palette = ['blue!70!black', 'red!75!black', 'green!50!black', 'orange!90!black', 'violet', 'teal', 'brown', 'gray'];

/** A line plot; `xmode: 'log'` for d_k sweeps. */
export function pgfLines(o: AxisOptions & { series: LineSeries[]; xmode?: 'log'; ymode?: 'log'; legend?: string; xlogBase?: number }): string {
  const more = [
    ...(o.xmode ? [`xmode=${o.xmode}`] : []), ...(o.xlogBase ? [`log basis x=${o.xlogBase}`] : []),
    ...(o.ymode ? [`ymode=${o.ymode}`] : []),
    // The legend sits above the axis (above its title, if any), in one row: inside the axis it
    // hides whichever line runs through its corner.
    `legend style={font=\\scriptsize, at={${o.legend ?? '(0,1)'}}, anchor=south west, yshift=${o.title ? '0.45cm' : '0.1cm'}, legend columns=-1, draw=none, fill=none, /tikz/every even column/.append style={column sep=0.3cm}}`,
    'grid=major', 'grid style={gray!25}', 'mark size=1.2pt',
  ];
  const plots = o.series.map((s, i) =>
    `\\addplot[${s.style ?? `${palette[i % palette.length]}, thick, mark=*`}] coordinates {${s.points.map(([x, y]) => `(${texNum(x)},${texNum(y)})`).join(' ')}};\n` +
    `\\addlegendentry{${escapeTex(s.name)}}`);
  return `\\begin{axis}${axisOptions(o, more)}\n${plots.join('\n')}\n\\end{axis}`;
}

/** A heatmap: `values[r][c]`, rows drawn top to bottom. Tick labels every `tickEvery` cells. */
export function pgfHeatmap(o: AxisOptions & { rows: string[]; cols: string[]; values: number[][]; tickEvery?: { x?: number; y?: number }; colorbar?: boolean; colormap?: string }): string {
  const ticks = (labels: string[], every: number): { at: string; text: string } => {
    const idx = labels.map((_, i) => i).filter((i) => i % every === 0);
    return { at: idx.join(','), text: idx.map((i) => `{${escapeTex(labels[i] ?? '')}}`).join(',') };
  };
  const xt = ticks(o.cols, o.tickEvery?.x ?? 1);
  const yt = ticks(o.rows, o.tickEvery?.y ?? 1);
  const more = [
    'enlargelimits=false', 'axis on top', 'y dir=reverse', `colormap name=${o.colormap ?? 'viridis'}`,
    ...(o.colorbar === false ? [] : ['colorbar', 'colorbar style={width=0.15cm, ytick style={draw=none}, yticklabel style={font=\\tiny}}']),
    `xtick={${xt.at}}`, `xticklabels={${xt.text}}`, `ytick={${yt.at}}`, `yticklabels={${yt.text}}`,
    'xtick style={draw=none}', 'ytick style={draw=none}', `point meta min=0`,
  ];
  const lines = ['x y w'];
  o.values.forEach((row, r) => row.forEach((v, c) => lines.push(`${c} ${r} ${texNum(v)}`)));
  const cols = o.values[0]?.length ?? 0;
  return `\\begin{axis}${axisOptions(o, more)}\n` +
    `\\addplot[matrix plot*, mesh/cols=${cols}, mesh/rows=${o.values.length}, point meta=explicit] table[meta=w] {\n${lines.join('\n')}\n};\n\\end{axis}`;
}

/** Grouped bars over categories (one bar per series in each group). */
export function pgfBars(o: AxisOptions & { categories: string[]; series: { name: string; values: number[] }[]; ymin?: number }): string {
  const symbolic = o.categories.map((c) => c.replace(/[^A-Za-z0-9]/g, '')).map((c, i) => c || `c${i}`);
  const more = [
    'ybar', `bar width=${Math.max(3, Math.floor(60 / Math.max(1, o.categories.length * o.series.length)))}pt`,
    `symbolic x coords={${symbolic.join(',')}}`, 'xtick=data', `xticklabels={${o.categories.map((c) => `{${escapeTex(c)}}`).join(',')}}`,
    'x tick label style={rotate=25, anchor=north east, font=\\scriptsize}', `ymin=${o.ymin ?? 0}`, 'enlarge x limits=0.15',
    'legend style={font=\\scriptsize, draw=none, at={(0.5,1.02)}, anchor=south, legend columns=-1}', 'ymajorgrids', 'grid style={gray!25}',
  ];
  const plots = o.series.map((s, i) =>
    `\\addplot[fill=${palette[i % palette.length]}, draw=none] coordinates {${s.values.map((v, k) => `(${symbolic[k]},${texNum(v)})`).join(' ')}};` +
    (o.series.length > 1 ? `\n\\addlegendentry{${escapeTex(s.name)}}` : ''));
  return `\\begin{axis}${axisOptions(o, more)}\n${plots.join('\n')}\n\\end{axis}`;
}

/** Wraps axes side by side (each after the previous one's east edge) in one tikzpicture. */
export function tikzPicture(axes: string[], gap = '0.3cm'): string {
  const placed = axes.map((a, i) => {
    const pos = i === 0 ? `name=ax${i}` : `name=ax${i}, at={(ax${i - 1}.outer east)}, anchor=outer west, xshift=${gap}`;
    return a.replace(/^\\begin\{axis\}\[\n/, `\\begin{axis}[\n  ${pos},\n`);
  });
  return `% generated by lib/report from pipeline data; do not edit\n\\begin{tikzpicture}\n${placed.join('\n')}\n\\end{tikzpicture}\n`;
}
