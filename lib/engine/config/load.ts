/**
 * Loading pipeline.yaml: read once, parse with positions, check the shape against the JSON
 * Schema, apply profile and `--set`, resolve stages and build the graph. Every user mistake
 * comes back as a located diagnostic, all of them in one pass; nothing here throws for bad input.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { Diagnostic, LoadOptions, Pipeline, Result } from '../types.ts';
import { err, ok } from '../types.ts';
import { buildGraph } from '../graph.ts';
import { locAt, locOf, type SourceDoc } from './locate.ts';
import { applyOverrides } from './params.ts';
import { validateShape } from './schema.ts';
import { resolveStages } from './stages.ts';

/** A path as the user should see it: relative to the cwd when inside it, else absolute. */
function shown(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

function yamlDiagnostic(e: YAMLError, src: SourceDoc): Diagnostic {
  // `yaml` words duplicate keys generically; name the key, which the user can search for.
  const message = `${e.message.split('\n')[0]?.replace(/\.?$/, '.')}`;
  const location = locAt(src, e.pos[0], e.pos[1]);
  const line = src.text.split('\n', location.line)[location.line - 1] ?? '';
  // `{` ends a plain value inside [ … ], so `[out-${item.x}]` is not valid YAML: say so.
  if (/[[{][^\]}]*\$\{/.test(line)) {
    return { severity: 'error', message, location, hint: 'Inside [ … ] or { }, quote values that contain "${…}", or use a block list ("- item").' };
  }
  return { severity: 'error', message, location };
}

/**
 * Keys repeated within one mapping. `yaml`'s own check (`uniqueKeys`) compares every pair, which
 * is quadratic in the number of stages; a set per mapping is not.
 */
function duplicateKeys(src: SourceDoc): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (node: unknown): void => {
    if (isSeq(node)) for (const item of node.items) walk(item);
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      walk(pair.value);
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (!seen.has(key)) {
        seen.add(key);
        continue;
      }
      const location = locOf(src, pair.key);
      out.push({ severity: 'error', message: `Duplicate key "${key}".`, ...(location ? { location } : {}) });
    }
  };
  walk(src.doc.contents);
  return out;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  const la = a.location;
  const lb = b.location;
  if (!la || !lb) return la ? 1 : lb ? -1 : 0;
  return la.file.localeCompare(lb.file) || la.line - lb.line || la.col - lb.col;
}

function done(errors: Diagnostic[]): { ok: false; error: Diagnostic[] } {
  return err([...errors].sort(byPosition));
}

/**
 * Loads and resolves `<root>/<file>` (default `pipeline.yaml`). On failure returns every
 * diagnostic found, sorted by position; a missing file is the single "No pipeline.yaml in DIR."
 */
export async function loadPipeline(opts: LoadOptions): Promise<Result<Pipeline>> {
  const root = path.resolve(opts.root);
  const fileName = opts.file ?? 'pipeline.yaml';
  const file = path.resolve(root, fileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `No ${fileName} in ${shown(root)}.`
        : code === 'EISDIR'
          ? `${shown(file)} is a directory, not a pipeline file.`
          : `Cannot read ${shown(file)}: ${(e as Error).message}`;
    return err([{ severity: 'error', message }]);
  }

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const src: SourceDoc = { doc, lines, file: shown(file), text };
  if (doc.errors.length > 0) return done(doc.errors.map((e) => yamlDiagnostic(e, src)));
  // A repeated key leaves a usable document (the last one wins), so checking goes on.
  const errors = duplicateKeys(src);

  const value: unknown = doc.toJS() ?? {};
  const shape = validateShape(value, src);
  errors.push(...shape.errors);
  // Later passes need a well-formed root, params and profiles; a bad stage only hides itself.
  if (shape.fatal) return done(errors);
  const config = value as { params?: Record<string, unknown>; profiles?: Record<string, Record<string, unknown>>; stages?: Record<string, unknown> };

  const overrides = applyOverrides(config.params ?? {}, { profiles: config.profiles ?? {}, profile: opts.profile, set: opts.set }, src);
  errors.push(...overrides.errors);
  const { stages, errors: stageErrors } = resolveStages(config.stages ?? {}, src, overrides.params, shape.badStages);
  errors.push(...stageErrors);
  if (errors.length > 0) return done(errors);

  const graph = buildGraph(stages, root);
  if (!graph.ok) return done(graph.error);
  return ok({ root, file, params: overrides.params, stages, ...graph.value });
}
