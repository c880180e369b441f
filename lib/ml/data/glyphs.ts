/**
 * Procedural digit glyphs for the Moving-MNIST-like clips: seven-segment strokes rendered with
 * anti-aliased edges, so no download is needed and any scale or sub-pixel position works.
 */

/** A stroke from (x0, y0) to (x1, y1) in a glyph box of width 1 and height 2. */
type Stroke = readonly [number, number, number, number];

const SEGMENTS: Record<string, Stroke> = {
  a: [0, 0, 1, 0],
  b: [1, 0, 1, 1],
  c: [1, 1, 1, 2],
  d: [0, 2, 1, 2],
  e: [0, 1, 0, 2],
  f: [0, 0, 0, 1],
  g: [0, 1, 1, 1],
};

const DIGIT_SEGMENTS = ['abcdef', 'bc', 'abdeg', 'abcdg', 'bcfg', 'acdfg', 'acdefg', 'abc', 'abcdefg', 'abcdfg'];

/** The strokes of digit `d` (0–9). */
export function digitStrokes(d: number): Stroke[] {
  const segs = DIGIT_SEGMENTS[d];
  if (segs === undefined) throw new Error(`digitStrokes: ${d} is not a digit`);
  return [...segs].map((s) => SEGMENTS[s]!);
}

/** Squared distance from a point to a segment given as origin (x0, y0), direction (dx, dy) and 1/|d|². */
function distance2(px: number, py: number, x0: number, y0: number, dx: number, dy: number, invLen2: number): number {
  let t = ((px - x0) * dx + (py - y0) * dy) * invLen2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = px - x0 - t * dx;
  const ey = py - y0 - t * dy;
  return ex * ex + ey * ey;
}

/** Where and how large to draw a digit. */
export interface GlyphPlacement {
  digit: number;
  /** Top-left corner of the glyph box in pixels (may be fractional). */
  x: number;
  y: number;
  /** Glyph height in pixels; the width is half of it. */
  height: number;
  /** Stroke thickness in pixels. */
  thickness: number;
}

/**
 * Draws a digit into a `width × height` canvas of values in [0, 1], combining with what is there
 * by `max` (overlapping digits do not saturate beyond 1).
 */
export function drawDigit(canvas: Float32Array, width: number, g: GlyphPlacement): void {
  const rows = canvas.length / width;
  const w = g.height / 2;
  // flat [x0, y0, dx, dy, 1/len²] per stroke: this loop runs for every pixel of every frame
  const strokes = digitStrokes(g.digit);
  const seg = new Float64Array(strokes.length * 5);
  strokes.forEach(([x0, y0, x1, y1], k) => {
    const dx = (x1 - x0) * w;
    const dy = (y1 - y0) * w;
    seg.set([g.x + x0 * w, g.y + y0 * w, dx, dy, 1 / (dx * dx + dy * dy)], k * 5);
  });
  const half = g.thickness / 2;
  const pad = Math.ceil(half + 1);
  const xFrom = Math.max(0, Math.floor(g.x) - pad);
  const xTo = Math.min(width - 1, Math.ceil(g.x + w) + pad);
  const yFrom = Math.max(0, Math.floor(g.y) - pad);
  const yTo = Math.min(rows - 1, Math.ceil(g.y + g.height) + pad);
  for (let py = yFrom; py <= yTo; py++) {
    for (let px = xFrom; px <= xTo; px++) {
      let d2 = Infinity;
      for (let k = 0; k < seg.length; k += 5) {
        const e = distance2(px + 0.5, py + 0.5, seg[k]!, seg[k + 1]!, seg[k + 2]!, seg[k + 3]!, seg[k + 4]!);
        if (e < d2) d2 = e;
      }
      const d = Math.sqrt(d2);
      // one-pixel linear ramp at the stroke edge
      const v = Math.max(0, Math.min(1, half + 0.5 - d));
      const i = py * width + px;
      if (v > canvas[i]!) canvas[i] = v;
    }
  }
}
