/**
 * No module under lib/ imports itself through others. Type-only imports count: they vanish at
 * runtime, but a circle of them still ties the modules into one unit that cannot be read,
 * moved or tested apart (models/rnn.ts ↔ rnn/ was one).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

// `import … from './x'`, `import type …`, `export … from './x'`, `import('./x')`: relative only.
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]|\bimport\s*\(\s*['"](\.[^'"]+)['"]/g;

/** Each file's relative imports under lib/, resolved to files that exist. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((f) => {
    const deps = [...readFileSync(f, 'utf8').matchAll(SPECIFIER)]
      .map((m) => path.resolve(path.dirname(f), m[1] ?? m[2] ?? ''))
      .map((t) => (known.has(t) ? t : `${t}.ts`))
      .filter((t) => known.has(t));
    return [f, deps];
  }));
}

/** One import circle per group of mutually reachable files (Tarjan's strongly connected components). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w !== undefined) group.push(path.relative(ROOT, w));
    } while (w !== undefined && w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('import graph of lib/', () => {
  it('has no circles', () => {
    const files = tsFiles(path.join(ROOT, 'lib'));
    const graph = importGraph(files);
    // Not vacuous: the scan sees the imports (models/rnn.ts reaches the fused cells).
    expect(graph.get(path.join(ROOT, 'lib/ml/models/rnn.ts'))).toContain(path.join(ROOT, 'lib/ml/rnn/index.ts'));
    expect(circles(graph)).toEqual([]);
  });
});
