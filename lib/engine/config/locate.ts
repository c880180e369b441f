/**
 * From `yaml` document nodes to user-facing `file:line:col` locations.
 */
import type { Document, LineCounter, Node } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { SourceLocation } from '../types.ts';

/** What a lookup needs: the parsed document, its line counter and the file name to show. */
export interface SourceDoc {
  doc: Document.Parsed;
  lines: LineCounter;
  /** File as shown to the user. */
  file: string;
  /** The original text (`yaml` does not keep it on the document). */
  text: string;
}

/** The key and value nodes found at a path; either may be missing. */
export interface Found {
  key?: Node;
  value?: Node;
}

function deref(src: SourceDoc, node: unknown): unknown {
  return isAlias(node) ? node.resolve(src.doc) : node;
}

/**
 * Walks `segments` (map keys and sequence indexes) down from the document root. Returns the
 * deepest key/value nodes it reached, so that an error on a missing child can still point at its
 * parent.
 */
export function findNode(src: SourceDoc, segments: readonly (string | number)[], from?: Found): Found {
  let found: Found = from ?? { value: src.doc.contents ?? undefined };
  for (const seg of segments) {
    const node = deref(src, found.value);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) return found;
      found = { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return found;
      found = { value: item as Node };
    } else {
      return found;
    }
  }
  return found;
}

/** Location of a source offset range. */
export function locAt(src: SourceDoc, start: number, end?: number): SourceLocation {
  const a = src.lines.linePos(start);
  const loc: SourceLocation = { file: src.file, line: a.line, col: a.col };
  if (end !== undefined && end > start) {
    const b = src.lines.linePos(end);
    loc.endLine = b.line;
    loc.endCol = b.col;
  }
  return loc;
}

/** Location of a node's whole span (the value of a pair, a key, an item…). */
export function locOf(src: SourceDoc, node: Node | null | undefined): SourceLocation | undefined {
  const range = node?.range;
  if (!range) return undefined;
  // range[1] is the end of the value proper; trailing comments are not underlined.
  return locAt(src, range[0], range[1]);
}

/** Location of the key at `segments` (falls back to its value, then to the nearest ancestor). */
export function locKey(src: SourceDoc, segments: readonly (string | number)[], from?: Found): SourceLocation | undefined {
  const f = findNode(src, segments, from);
  return locOf(src, f.key ?? f.value);
}

/** Location of the value at `segments` (falls back to its key). */
export function locValue(src: SourceDoc, segments: readonly (string | number)[], from?: Found): SourceLocation | undefined {
  const f = findNode(src, segments, from);
  return locOf(src, f.value ?? f.key);
}

/**
 * Location of `length` characters starting at `index` inside the *value* of a scalar node, e.g.
 * one `${…}` inside a command. Exact for plain and simply quoted scalars; for block scalars or
 * strings with escapes the text no longer maps 1:1 to the source, so the whole node is given.
 */
export function locInScalar(src: SourceDoc, node: Node | undefined, index: number, length: number): SourceLocation | undefined {
  if (!isScalar(node) || !node.range || typeof node.value !== 'string') return locOf(src, node);
  const text = node.value.slice(index, index + length);
  const start = node.range[0] + (node.type === 'PLAIN' ? 0 : 1) + index;
  if (src.text.slice(start, start + length) === text) return locAt(src, start, start + length);
  return locOf(src, node);
}
