/**
 * Source positions of pipeline.yaml, from a path in the document (`stages/train/deps/0`) to a
 * user-facing `file:line:col`.
 *
 * Positions live in a flat index built once from the `yaml` document, rather than in the node
 * tree itself: lookups are O(1) (a 500-stage file would otherwise be scanned per location), and
 * the index is plain data, so it can be cached with the parsed value and the file need not be
 * re-parsed while it is unchanged.
 */
import type { Diagnostic, SourceLocation } from '../types.ts';

/** Source offsets of one node: its key (for a mapping entry) and its value. */
export interface Span {
  key?: [number, number];
  value?: [number, number];
  /**
   * For a string scalar whose source is its text verbatim (plain, or quoted without escapes or
   * line breaks): the offset of its first character from `value[0]`. Absent otherwise.
   */
  shift?: number;
}

/**
 * What location lookups need; plain data (see the module comment). Built by `indexDocument`
 * (yaml-index.ts), kept apart so that a load served from the cache never loads `yaml`.
 */
export interface SourceDoc {
  /** File as shown to the user. */
  file: string;
  /** The original text, for excerpts and offsets. */
  text: string;
  /** Offset of the start of each line. */
  lineStarts: number[];
  /** Path segments joined with NUL ('' is the root) → span. */
  spans: Map<string, Span>;
  /** Stage names as written (object key order would put `1` before `a`). */
  stageOrder: string[];
}

/** A path in the document: mapping keys and sequence indexes. */
export type DocPath = readonly (string | number)[];

const join = (segs: DocPath): string => segs.join('\0');

/** Line start offsets of `text`. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of a source offset (binary search over the line starts). */
function linePos(starts: number[], offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - (starts[lo] ?? 0) + 1 };
}

/** Location of a source offset range. */
export function locAt(src: SourceDoc, start: number, end?: number): SourceLocation {
  const a = linePos(src.lineStarts, start);
  const loc: SourceLocation = { file: src.file, line: a.line, col: a.col };
  if (end !== undefined && end > start) {
    const b = linePos(src.lineStarts, end);
    loc.endLine = b.line;
    loc.endCol = b.col;
  }
  return loc;
}

/** The span at `segs`, or of its nearest indexed ancestor. */
function spanAt(src: SourceDoc, segs: DocPath): Span | undefined {
  for (let n = segs.length; n >= 0; n--) {
    const span = src.spans.get(join(segs.slice(0, n)));
    if (span && (span.key || span.value)) return span;
  }
  return undefined;
}

function loc(src: SourceDoc, range: [number, number] | undefined): SourceLocation | undefined {
  return range ? locAt(src, range[0], range[1]) : undefined;
}

/** Location of the key at `segs` (falls back to its value, then to the nearest ancestor). */
export function locKey(src: SourceDoc, segs: DocPath): SourceLocation | undefined {
  const s = spanAt(src, segs);
  return loc(src, s?.key ?? s?.value);
}

/** Location of the value at `segs` (falls back to its key, then to the nearest ancestor). */
export function locValue(src: SourceDoc, segs: DocPath): SourceLocation | undefined {
  const s = spanAt(src, segs);
  return loc(src, s?.value ?? s?.key);
}

/**
 * Location of `length` characters from `index` inside the string value at `segs`, e.g. one
 * `${…}` of a command. Exact where the source holds the text verbatim; else the whole value.
 */
export function locInScalar(src: SourceDoc, segs: DocPath, index: number, length: number): SourceLocation | undefined {
  const s = src.spans.get(join(segs));
  if (!s?.value || s.shift === undefined) return locValue(src, segs);
  const start = s.value[0] + s.shift + index;
  return locAt(src, start, start + length);
}

/** A located error, without an empty `location` or `hint`. */
export function located(message: string, location: SourceLocation | undefined, hint?: string): Diagnostic {
  return { severity: 'error', message, ...(location ? { location } : {}), ...(hint ? { hint } : {}) };
}

/** Spans as two flat arrays (paths; 5 offsets each, -1 = absent): far quicker to (de)serialise. */
export interface PackedSpans {
  paths: string[];
  offsets: Int32Array;
}

/** Spans → their packed form, for the parse cache. */
export function packSpans(spans: Map<string, Span>): PackedSpans {
  const paths = [...spans.keys()];
  const offsets = new Int32Array(paths.length * 5).fill(-1);
  paths.forEach((p, i) => {
    const s = spans.get(p);
    const o = i * 5;
    if (s?.key) offsets.set(s.key, o);
    if (s?.value) offsets.set(s.value, o + 2);
    if (s?.shift !== undefined) offsets[o + 4] = s.shift;
  });
  return { paths, offsets };
}

/** The packed form → spans. */
export function unpackSpans(packed: PackedSpans): Map<string, Span> {
  const spans = new Map<string, Span>();
  const o = packed.offsets;
  packed.paths.forEach((p, i) => {
    const b = i * 5;
    const span: Span = {};
    if ((o[b] ?? -1) >= 0) span.key = [o[b] ?? 0, o[b + 1] ?? 0];
    if ((o[b + 2] ?? -1) >= 0) span.value = [o[b + 2] ?? 0, o[b + 3] ?? 0];
    if ((o[b + 4] ?? -1) >= 0) span.shift = o[b + 4] ?? 0;
    spans.set(p, span);
  });
  return spans;
}
