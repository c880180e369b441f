/**
 * From the `stages:` mapping to resolved `Stage`s: matrix expansion, `${…}` interpolation,
 * declared params, and path normalisation.
 *
 * Matrix members are named `group@value` for one axis and `group@v1-v2-…` for several, the values
 * taken in the order the axes are declared (the cartesian product varies the last axis fastest).
 * Paths (`deps`, `outs`, `metrics`, `plots`, `wdir`) are POSIX and relative to the project root;
 * `wdir` changes only where `cmd` runs, never how deps and outs are read.
 */
import path from 'node:path';
import type { Diagnostic, Resources, SourceLocation, Stage } from '../types.ts';
import { didYouMean } from '../suggest.ts';
import { interpolate } from './interpolate.ts';
import { locInScalar, locKey, located, locValue, type DocPath, type SourceDoc } from './locate.ts';
import { getParam, paramKeys } from './params.ts';

/** A stage as the schema admits it (already validated). */
interface RawStage {
  cmd: string;
  desc?: string;
  wdir?: string;
  deps?: string[];
  outs?: string[];
  metrics?: string[];
  plots?: string[];
  params?: string[];
  matrix?: Record<string, unknown[] | string>;
  exclusive?: boolean;
  resources?: Resources;
  env?: string[];
  runtime?: string[];
}

type Scalar = string | number | boolean;
const MEMBER_PART = /^[A-Za-z0-9_.-]+$/;
/** Anything `path.posix.normalize` or trimming would change (`./`, `..`, `//`, `\\`, a trailing `/`). */
const NOT_NORMAL = /\\|\/\/|(?:^|\/)\.\.?(?:\/|$)|\/$/;
const PATH_FIELDS = ['deps', 'outs', 'metrics', 'plots'] as const;
const PATH_NOUN = { deps: 'dep', outs: 'out', metrics: 'metric', plots: 'plot', wdir: 'wdir' } as const;

class StageResolver {
  readonly errors: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly src: SourceDoc,
    private readonly params: Record<string, unknown>,
  ) {}

  private locValue(group: string, segs: DocPath): SourceLocation | undefined {
    return locValue(this.src, ['stages', group, ...segs]);
  }

  error(message: string, location: SourceLocation | undefined, hint?: string): void {
    const key = `${message}@${location?.line}:${location?.col}`;
    if (this.seen.has(key)) return; // matrix members repeat their template's mistakes
    this.seen.add(key);
    this.errors.push(located(message, location, hint));
  }

  /** The axes' values, each paired with the place to blame for it. */
  private axes(name: string, matrix: Record<string, unknown[] | string>): [string, { value: Scalar; at: DocPath }[]][] | undefined {
    const axes: [string, { value: Scalar; at: DocPath }[]][] = [];
    let ok = true;
    for (const [axis, spec] of Object.entries(matrix)) {
      const segs = ['matrix', axis];
      if (typeof spec === 'string') {
        const key = spec.slice(2, -1).trim();
        const p = getParam(this.params, key);
        if (!p.found) {
          const s = didYouMean(key, paramKeys(this.params));
          this.error(`Stage "${name}": matrix axis "${axis}" names unknown param "${key}".`, this.locValue(name, segs), s && `Did you mean "${s}"?`);
          ok = false;
        } else if (!Array.isArray(p.value) || p.value.length === 0 || !p.value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
          this.error(`Stage "${name}": matrix axis "${axis}": param "${key}" must be a non-empty list of plain values.`, this.locValue(name, segs));
          ok = false;
        } else {
          axes.push([axis, (p.value as Scalar[]).map((value) => ({ value, at: segs }))]);
        }
      } else {
        axes.push([axis, (spec as Scalar[]).map((value, i) => ({ value, at: [...segs, i] }))]);
      }
    }
    for (const [axis, values] of axes) {
      for (const v of values) {
        if (MEMBER_PART.test(String(v.value))) continue;
        this.error(
          `Stage "${name}": matrix value "${String(v.value)}" of axis "${axis}" cannot be part of a stage name.`,
          this.locValue(name, v.at),
          'Use letters, digits, "_", "." and "-".',
        );
        ok = false;
      }
    }
    return ok ? axes : undefined;
  }

  /** Expands one `stages:` entry into its stage or matrix members. */
  resolve(name: string, raw: RawStage): Stage[] {
    const members: { name: string; item?: Record<string, Scalar> }[] = [];
    if (raw.matrix) {
      const axes = this.axes(name, raw.matrix);
      if (!axes) return [];
      let combos: Record<string, Scalar>[] = [{}];
      for (const [axis, values] of axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v.value })));
      const names = new Set<string>();
      for (const item of combos) {
        const member = `${name}@${Object.values(item).map(String).join('-')}`;
        if (names.has(member)) {
          this.error(
            `Stage "${name}": matrix member "${member}" occurs twice.`,
            locKey(this.src, ['stages', name, 'matrix']),
            'Member names join the axis values with "-"; make the values distinct.',
          );
          return [];
        }
        names.add(member);
        members.push({ name: member, item });
      }
    } else {
      members.push({ name });
    }
    const before = this.errors.length;
    const stages = members.map((m) => this.member(name, m.name, raw, m.item));
    return this.errors.length > before ? [] : stages;
  }

  /** The field's text interpolated, or undefined (errors reported) when a `${…}` failed. */
  private text(group: string, field: DocPath, text: string, item?: Record<string, Scalar>): string | undefined {
    const r = interpolate(text, { params: this.params, ...(item ? { item } : {}) }, { shell: field[0] === 'cmd' });
    for (const e of r.errors) this.error(`Stage "${group}": ${e.message}`, locInScalar(this.src, ['stages', group, ...field], e.index, e.length), e.hint);
    return r.errors.length > 0 ? undefined : r.text;
  }

  /** Normalises a path to POSIX, relative to the root; '' only for a `wdir` naming the root. */
  private path(group: string, field: keyof typeof PATH_NOUN, segs: DocPath, p: string): string {
    const noun = PATH_NOUN[field];
    const loc = (): SourceLocation | undefined => this.locValue(group, segs);
    // Both checks only when the first characters could make the path absolute (`/`, `\`, `C:`).
    const c0 = p.charCodeAt(0);
    if ((c0 === 47 || c0 === 92 || p[1] === ':') && (path.posix.isAbsolute(p) || path.win32.isAbsolute(p))) {
      this.error(`Stage "${group}": ${noun} "${p}" is an absolute path; write it relative to the project root.`, loc());
      return p;
    }
    // Most paths are already normal; skip the work for them (this runs for every dep and out).
    const n = p !== '' && !NOT_NORMAL.test(p) ? p : path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
    if (n === '..' || n.startsWith('../')) {
      this.error(`Stage "${group}": ${noun} "${p}" is outside the project root.`, loc());
      return p;
    }
    if (n === '.' || n === '') {
      if (field !== 'wdir') this.error(`Stage "${group}": ${noun} "${p}" names the project root itself; name a file or directory in it.`, loc());
      return '';
    }
    return n;
  }

  private wdir(group: string, raw: string | undefined, item?: Record<string, Scalar>): string {
    if (raw === undefined) return '';
    const text = this.text(group, ['wdir'], raw, item);
    return text === undefined ? raw : this.path(group, 'wdir', ['wdir'], text);
  }

  private member(group: string, name: string, raw: RawStage, item?: Record<string, Scalar>): Stage {
    const paths: Record<(typeof PATH_FIELDS)[number], { path: string; segs: DocPath }[]> = { deps: [], outs: [], metrics: [], plots: [] };
    for (const field of PATH_FIELDS) {
      (raw[field] ?? []).forEach((p, i) => {
        const segs = [field, i];
        // Most paths hold no `${…}`: nothing to interpolate (the shape was checked by the schema).
        const text = p.includes('${') ? this.text(group, segs, p, item) : p;
        // A path whose `${…}` failed is already reported; checking its remains would mislead.
        paths[field].push({ path: text === undefined ? p : this.path(group, field, segs, text), segs });
      });
    }
    const params: Record<string, unknown> = {};
    (raw.params ?? []).forEach((key, i) => {
      const p = getParam(this.params, key);
      if (p.found) {
        // Stages must not share (and so mutate) one params object.
        params[key] = typeof p.value === 'object' && p.value !== null ? structuredClone(p.value) : p.value;
        return;
      }
      const s = didYouMean(key, paramKeys(this.params));
      this.error(`Stage "${group}": unknown param "${key}".`, this.locValue(group, ['params', i]), s && `Did you mean "${s}"?`);
    });
    // metrics and plots are outputs too; a path listed twice is one output.
    const outs: { path: string; segs: DocPath }[] = [];
    for (const o of [...paths.outs, ...paths.metrics, ...paths.plots]) if (!outs.some((x) => x.path === o.path)) outs.push(o);
    const stage: Stage = {
      name,
      group,
      cmd: this.text(group, ['cmd'], raw.cmd, item) ?? raw.cmd,
      wdir: this.wdir(group, raw.wdir, item),
      deps: paths.deps.map((d) => d.path),
      outs: outs.map((o) => o.path),
      metrics: paths.metrics.map((o) => o.path),
      plots: paths.plots.map((o) => o.path),
      params,
      env: [...(raw.env ?? [])],
      runtime: [...(raw.runtime ?? [])],
      exclusive: raw.exclusive ?? false,
      ...(raw.resources ? { resources: { ...raw.resources } } : {}),
    };
    // Only diagnostics read these (a large pipeline has thousands of paths): locate on demand.
    lazy(stage, 'depLocations', () => paths.deps.map((d) => this.locValue(group, d.segs)));
    lazy(stage, 'outLocations', () => outs.map((o) => this.locValue(group, o.segs)));
    if (item) stage.matrixItem = { ...item };
    if (raw.desc !== undefined) stage.desc = this.text(group, ['desc'], raw.desc, item) ?? raw.desc;
    lazy(stage, 'location', () => locKey(this.src, ['stages', group]));
    return stage;
  }
}

/** Defines `stage[key]` as computed on first read (then a plain, writable property). */
function lazy<K extends 'depLocations' | 'outLocations' | 'location'>(stage: Stage, key: K, compute: () => Stage[K]): void {
  const settle = (value: Stage[K]) => Object.defineProperty(stage, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(stage, key, {
    get: () => {
      const value = compute();
      settle(value);
      return value;
    },
    set: settle,
    enumerable: true,
    configurable: true,
  });
}

/**
 * Resolves every stage not listed in `skip` (stages whose shape the schema already rejected).
 * Returns the stages in definition order, members in expansion order, and all errors found.
 */
export function resolveStages(
  raw: Record<string, unknown>,
  src: SourceDoc,
  params: Record<string, unknown>,
  skip: ReadonlySet<string>,
): { stages: Map<string, Stage>; errors: Diagnostic[] } {
  const r = new StageResolver(src, params);
  const stages = new Map<string, Stage>();
  for (const name of src.stageOrder) {
    if (skip.has(name) || !Object.hasOwn(raw, name)) continue;
    for (const s of r.resolve(name, raw[name] as RawStage)) stages.set(s.name, s);
  }
  return { stages, errors: r.errors };
}
