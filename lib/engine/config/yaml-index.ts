/**
 * Builds the position index of locate.ts from a parsed `yaml` document.
 */
import type { Document, Node } from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Span } from './locate.ts';

/**
 * Indexes every node of `doc` by path and collects repeated keys within a mapping (reported
 * here because `yaml`'s own `uniqueKeys` check compares every pair, quadratic in stages).
 */
export function indexDocument(doc: Document.Parsed, text: string): { spans: Map<string, Span>; stageOrder: string[]; duplicates: { key: string; range: [number, number] }[] } {
  const spans = new Map<string, Span>();
  const duplicates: { key: string; range: [number, number] }[] = [];
  const setValue = (path: string, node: unknown): void => {
    const span = spans.get(path) ?? {};
    if (isScalar(node) || isMap(node) || isSeq(node) || (node as Node | null)?.range) {
      const range = (node as Node).range;
      if (range) span.value = [range[0], range[1]];
    }
    if (isScalar(node) && typeof node.value === 'string' && span.value) {
      const shift = node.type === 'PLAIN' ? 0 : node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : -1;
      const start = span.value[0] + shift;
      if (shift >= 0 && text.slice(start, start + node.value.length) === node.value) span.shift = shift;
    }
    spans.set(path, span);
  };
  const walk = (node: unknown, path: string): void => {
    setValue(path, node);
    const prefix = path === '' ? '' : `${path}\0`;
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, prefix + i));
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const keyRange = (pair.key as Node | null)?.range;
      if (seen.has(key)) {
        if (keyRange) duplicates.push({ key, range: [keyRange[0], keyRange[1]] });
        continue; // positions stay those of the first occurrence
      }
      seen.add(key);
      const childPath = prefix + key;
      spans.set(childPath, keyRange ? { key: [keyRange[0], keyRange[1]] } : {});
      walk(pair.value, childPath);
    }
  };
  walk(doc.contents, '');
  const stages = doc.contents && isMap(doc.contents) ? doc.contents.get('stages', true) : undefined;
  const stageOrder = isMap(stages) ? [...new Set(stages.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)))] : [];
  return { spans, stageOrder, duplicates };
}

