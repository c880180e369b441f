/**
 * The stage graph: edges from outs to deps, its checks (overlapping outs, self-dependencies,
 * cycles, deps nothing produces), target selection and rendering.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type Picomatch from 'picomatch';
import type { Diagnostic, Pipeline, Result, SourceLocation, Stage } from './types.ts';
import { err, ok, unreachable } from './types.ts';
import { didYouMean } from './suggest.ts';

let picomatchModule: typeof Picomatch | undefined;

/** picomatch, loaded on first use: most CLI calls name no glob, and every call loads this file. */
function picomatch(): typeof Picomatch {
  picomatchModule ??= createRequire(import.meta.url)('picomatch') as typeof Picomatch;
  return picomatchModule;
}

/** Adjacency of the stage graph plus a stable topological order. */
export interface Graph {
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
  order: string[];
}

/** `a/b/c` → `a`, `a/b` (proper ancestors, shortest first). */
function ancestors(p: string): string[] {
  const parts = p.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

function diag(message: string, location?: SourceLocation, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', message, ...(location ? { location } : {}), ...extra };
}

/** A dep no stage produces: it must exist on disk. */
interface ExternalDep {
  stage: string;
  dep: string;
  /** Index among the stage's deps (locations are looked up only for a diagnostic). */
  index: number;
}

/**
 * The external deps that do not exist. Deps sharing a directory are checked with one listing of
 * it rather than one stat each: a pipeline with thousands of input files loads on every CLI call.
 */
function missing(root: string, deps: ExternalDep[], exists?: (rel: string) => boolean): ExternalDep[] {
  if (exists) return deps.filter((x) => !exists(x.dep));
  const byDir = new Map<string, ExternalDep[]>();
  for (const x of deps) {
    const slash = x.dep.lastIndexOf('/');
    const dir = slash < 0 ? '' : x.dep.slice(0, slash);
    const list = byDir.get(dir);
    if (list) list.push(x);
    else byDir.set(dir, [x]);
  }
  const out: ExternalDep[] = [];
  for (const [dir, list] of byDir) {
    if (list.length < 4) {
      for (const x of list) if (!existsSync(path.join(root, x.dep))) out.push(x);
      continue;
    }
    let names: Set<string>;
    try {
      names = new Set(readdirSync(path.join(root, dir)));
    } catch {
      names = new Set(); // no such directory: none of its deps exist
    }
    for (const x of list) if (!names.has(x.dep.slice(x.dep.lastIndexOf('/') + 1))) out.push(x);
  }
  // Report in the order the deps were declared, not grouped by directory.
  const rank = new Map(deps.map((x, i) => [x, i]));
  return out.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
}

interface Producer {
  stage: string;
  index: number;
}

/**
 * Builds edges (B depends on A when a dep of B equals an out of A, lies under it, or contains
 * it) and checks the graph. Every problem is reported, each located where the user can fix it.
 * `root` is the absolute project root, used to tell whether an unproduced dep exists on disk
 * (or `exists`, when given).
 */
export function buildGraph(stages: Map<string, Stage>, root: string, exists?: (rel: string) => boolean): Result<Graph> {
  const errors: Diagnostic[] = [];
  // Exact out paths, and every directory above an out, so that a lookup per dep is O(depth).
  const outs = new Map<string, Producer>();
  const under = new Map<string, Producer[]>();
  for (const s of stages.values()) {
    s.outs.forEach((o, index) => {
      const clash = outs.get(o) ?? ancestors(o).map((a) => outs.get(a)).find((p) => p !== undefined) ?? under.get(o)?.[0];
      if (clash && clash.stage !== s.name) {
        const other = stages.get(clash.stage);
        const theirs = other?.outs[clash.index] ?? '';
        const message =
          theirs === o
            ? `Stages "${clash.stage}" and "${s.name}" both produce "${o}".`
            : `Stage "${s.name}": out "${o}" overlaps out "${theirs}" of stage "${clash.stage}".`;
        errors.push(diag(message, s.outLocations?.[index], { related: [{ message: `"${theirs}" is declared by "${clash.stage}" here.`, location: other?.outLocations?.[clash.index] }] }));
        return;
      }
      if (!outs.has(o)) outs.set(o, { stage: s.name, index });
      for (const a of ancestors(o)) {
        const list = under.get(a) ?? [];
        list.push({ stage: s.name, index });
        under.set(a, list);
      }
    });
  }

  /** Outs equal to `d`, above it, or below it. Allocation-light: it runs once per dep. */
  const producersOf = (d: string): Producer[] => {
    const found: Producer[] = [];
    const exact = outs.get(d);
    if (exact) found.push(exact);
    for (let i = d.lastIndexOf('/'); i > 0; i = d.lastIndexOf('/', i - 1)) {
      const above = outs.get(d.slice(0, i));
      if (above) found.push(above);
    }
    const below = under.get(d);
    if (below) found.push(...below);
    return found;
  };

  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  const rank = new Map([...stages.keys()].map((n, i) => [n, i]));
  /** `a\0b` → index of the dep of `a` that makes it depend on `b`, for locating cycle edges. */
  const via = new Map<string, number>();
  for (const s of stages.values()) {
    upstream.set(s.name, []);
    downstream.set(s.name, []);
  }
  const external: ExternalDep[] = [];
  for (const s of stages.values()) {
    const ups = new Set<string>();
    s.deps.forEach((d, index) => {
      const producers = producersOf(d);
      if (producers.length === 0) {
        external.push({ stage: s.name, dep: d, index });
        return;
      }
      if (producers.some((p) => p.stage === s.name)) {
        errors.push(diag(`Stage "${s.name}": dep "${d}" is also one of its own outs.`, s.depLocations?.[index]));
      }
      for (const p of producers) {
        if (p.stage === s.name) continue;
        ups.add(p.stage);
        const key = `${s.name}\0${p.stage}`;
        if (!via.has(key)) via.set(key, index);
      }
    });
    // Definition order, so that listings and the DAG render predictably.
    const sorted = [...ups].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    upstream.set(s.name, sorted);
    for (const u of sorted) downstream.get(u)?.push(s.name);
  }

  for (const x of missing(root, external, exists)) {
    errors.push(diag(`Stage "${x.stage}": dep "${x.dep}" does not exist and no stage produces it.`, stages.get(x.stage)?.depLocations?.[x.index]));
  }

  const order = topoOrder([...stages.keys()], upstream, downstream);
  if (order.length < stages.size) {
    for (const cycle of findCycles(order, stages, upstream)) {
      const first = stages.get(cycle[0] ?? '');
      const related = cycle.slice(0, -1).map((a, i) => {
        const b = cycle[i + 1] ?? '';
        const dep = via.get(`${a}\0${b}`) ?? 0;
        const st = stages.get(a);
        return { message: `"${a}" depends on "${b}" through dep "${st?.deps[dep] ?? ''}".`, location: st?.depLocations?.[dep] };
      });
      errors.push(diag(`Stages form a cycle (each depends on the next): ${cycle.join(' → ')}.`, first?.location, { related }));
    }
  }
  return errors.length > 0 ? err(errors) : ok({ upstream, downstream, order });
}

/** Kahn's algorithm; among ready stages the earliest defined goes first. Omits stages on cycles. */
function topoOrder(names: string[], upstream: Map<string, string[]>, downstream: Map<string, string[]>): string[] {
  const rank = new Map(names.map((n, i) => [n, i]));
  const waiting = new Map(names.map((n) => [n, upstream.get(n)?.length ?? 0]));
  const ready = names.filter((n) => waiting.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift() as string;
    order.push(n);
    for (const d of downstream.get(n) ?? []) {
      const left = (waiting.get(d) ?? 0) - 1;
      waiting.set(d, left);
      if (left !== 0) continue;
      // Sorted insert keeps the tie-break by definition order.
      const r = rank.get(d) ?? 0;
      let i = ready.length;
      while (i > 0 && (rank.get(ready[i - 1] ?? '') ?? 0) > r) i--;
      ready.splice(i, 0, d);
    }
  }
  return order;
}

/** One cycle per strongly connected group of the stages left over by the topological sort. */
function findCycles(ordered: string[], stages: Map<string, Stage>, upstream: Map<string, string[]>): string[][] {
  const done = new Set(ordered);
  const cycles: string[][] = [];
  for (const start of stages.keys()) {
    if (done.has(start)) continue;
    // Walk "depends on" edges inside the leftover set until a stage repeats: that closes a cycle.
    const pathSeen = new Map<string, number>();
    const walk: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && !pathSeen.has(cur)) {
      pathSeen.set(cur, walk.length);
      walk.push(cur);
      cur = (upstream.get(cur) ?? []).find((u) => !done.has(u));
    }
    if (cur === undefined) continue;
    const cycle = walk.slice(pathSeen.get(cur));
    // Rotate so that the earliest-defined stage leads: the same cycle prints the same way.
    const names = [...stages.keys()];
    const lead = cycle.reduce((a, b) => (names.indexOf(a) <= names.indexOf(b) ? a : b));
    const at = cycle.indexOf(lead);
    const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
    cycles.push([...rotated, lead]);
    for (const n of walk) done.add(n);
  }
  return cycles;
}

/** Options of `selectTargets`. */
export interface SelectOptions {
  /** Add every stage downstream of the targets (default false). */
  downstream?: boolean;
  /** Add every stage the targets depend on, transitively (default true). */
  withUpstream?: boolean;
}

function closure(start: Iterable<string>, edges: Map<string, string[]>, into: Set<string>): void {
  const stack = [...start];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    for (const m of edges.get(n) ?? []) {
      if (into.has(m)) continue;
      into.add(m);
      stack.push(m);
    }
  }
}

/**
 * Resolves CLI targets to stage names in topological order. A target is a stage name, a matrix
 * member (`ablate@no-memory`), a matrix group (`ablate`: all its members) or a glob (`ablate@*`).
 * No targets means every stage. Unknown targets are all reported, with a suggestion.
 */
export function selectTargets(p: Pipeline, targets: string[], opts: SelectOptions = {}): Result<string[]> {
  const names = [...p.stages.keys()];
  const groups = new Map<string, string[]>();
  for (const s of p.stages.values()) groups.set(s.group, [...(groups.get(s.group) ?? []), s.name]);
  const picked = new Set<string>();
  const errors: Diagnostic[] = [];
  for (const t of targets.length > 0 ? targets : names) {
    if (p.stages.has(t)) {
      picked.add(t);
    } else if (groups.has(t)) {
      for (const n of groups.get(t) ?? []) picked.add(n);
    } else if (picomatch().scan(t).isGlob) {
      const match = picomatch()(t);
      const hits = names.filter((n) => match(n) || match(p.stages.get(n)?.group ?? ''));
      if (hits.length === 0) errors.push(diag(`Target "${t}" matches no stage.`));
      for (const n of hits) picked.add(n);
    } else {
      const s = didYouMean(t, [...names, ...[...groups.keys()].filter((g) => !p.stages.has(g))]);
      errors.push(diag(`Unknown target "${t}": no stage, matrix member or group has that name.`, undefined, s ? { hint: `Did you mean "${s}"?` } : {}));
    }
  }
  if (errors.length > 0) return err(errors);
  const all = new Set(picked);
  if (opts.withUpstream ?? true) closure(picked, p.upstream, all);
  if (opts.downstream) closure(picked, p.downstream, all);
  return ok(p.order.filter((n) => all.has(n)));
}

function dotQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Renders the graph. Edges point the way data flows (producer → consumer). Mermaid node ids are
 * positional (`s0`, `s1`…) because stage names may hold `@` and `.`; labels carry the names.
 */
export function formatDag(p: Pipeline, format: 'mermaid' | 'dot' | 'json'): string {
  const edges = p.order.flatMap((to) => (p.upstream.get(to) ?? []).map((from) => ({ from, to })));
  switch (format) {
    case 'mermaid': {
      const id = new Map(p.order.map((n, i) => [n, `s${i}`]));
      const lines = ['flowchart TD'];
      for (const n of p.order) lines.push(`  ${id.get(n)}["${n.replace(/"/g, '#quot;')}"]`);
      for (const e of edges) lines.push(`  ${id.get(e.from)} --> ${id.get(e.to)}`);
      return `${lines.join('\n')}\n`;
    }
    case 'dot': {
      const lines = ['digraph pipeline {', '  rankdir=LR;', '  node [shape=box];'];
      for (const n of p.order) lines.push(`  ${dotQuote(n)};`);
      for (const e of edges) lines.push(`  ${dotQuote(e.from)} -> ${dotQuote(e.to)};`);
      lines.push('}');
      return `${lines.join('\n')}\n`;
    }
    case 'json': {
      const stages = p.order.map((n) => {
        const s = p.stages.get(n);
        return { name: n, group: s?.group ?? n, cmd: s?.cmd ?? '', deps: s?.deps ?? [], outs: s?.outs ?? [], upstream: p.upstream.get(n) ?? [] };
      });
      return `${JSON.stringify({ stages, edges }, null, 2)}\n`;
    }
    default:
      return unreachable(format);
  }
}
