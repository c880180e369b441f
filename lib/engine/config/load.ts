/**
 * Loading pipeline.yaml: read once, parse with positions, check the shape against the JSON
 * Schema, apply profile and `--set`, resolve stages and build the graph. Every user mistake
 * comes back as a located diagnostic, all of them in one pass; nothing here throws for bad input.
 *
 * Parsing YAML is most of the cost of a load (about 0.1 s warm, several times that in a fresh
 * process, for 500 stages), and every CLI call loads. So a file that parsed and passed the schema
 * is cached in `.pipeline/config-cache.v8`, keyed by a digest of its text: its plain value and
 * position index. While the file is unchanged, neither `yaml` nor ajv is even imported. Profile,
 * `--set`, stages and graph are resolved afresh on every load (they depend on options and disk).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { YAMLError } from 'yaml';
import type { Diagnostic, LoadOptions, Pipeline, Result } from '../types.ts';
import { err, ok } from '../types.ts';
import { buildGraph } from '../graph.ts';
import { lineStarts, locAt, packSpans, unpackSpans, type PackedSpans, type SourceDoc, type Span } from './locate.ts';
import { applyOverrides } from './params.ts';
import { SCHEMA_FILE } from './schema-file.ts';
import { checkContainment } from './containment.ts';
import { tmpPathBeside } from '../store/fs-util.ts';
import { resolveStages } from './stages.ts';
import { nulByteErrors } from './nul-bytes.ts';

/** Where the parse cache lives, relative to the root. */
export const CONFIG_CACHE = '.pipeline/config-cache.v8';
/** Bump when the cached record's shape or meaning changes. */
const CACHE_FORMAT = 1;

/** What a load needs from the text: its plain value and position index. */
interface Parsed {
  value: unknown;
  /** The position index; a thunk, since only diagnostics need it and a cached one must be unpacked. */
  spans: () => Map<string, Span>;
  stageOrder: string[];
}

/** What the cache keeps of a file that parsed and passed the schema. */
interface CacheRecord {
  key: string;
  value: unknown;
  spans: PackedSpans;
  stageOrder: string[];
}

/** A path as the user should see it: relative to the cwd when inside it, else absolute. */
function shown(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

function yamlDiagnostic(e: YAMLError, src: SourceDoc): Diagnostic {
  const message = `${e.message.split('\n')[0]?.replace(/\.?$/, '.')}`;
  const location = locAt(src, e.pos[0], e.pos[1]);
  const line = src.text.split('\n', location.line)[location.line - 1] ?? '';
  // `{` ends a plain value inside [ … ], so `[out-${item.x}]` is not valid YAML: say so.
  if (/[[{][^\]}]*\$\{/.test(line)) {
    return { severity: 'error', message, location, hint: 'Inside [ … ] or { }, quote values that contain "${…}", or use a block list ("- item").' };
  }
  return { severity: 'error', message, location };
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  const la = a.location;
  const lb = b.location;
  if (!la || !lb) return la ? 1 : lb ? -1 : 0;
  return la.file.localeCompare(lb.file) || la.line - lb.line || la.col - lb.col;
}

function failed(errors: Diagnostic[]): { ok: false; error: Diagnostic[] } {
  return err([...errors].sort(byPosition));
}

/**
 * What a cached record was derived from besides the text: the schema it passed, the code that
 * indexed it and the YAML parser. Their sizes and mtimes go into the key, so editing the schema
 * or the indexer, or upgrading `yaml`, can never serve a stale record. (In the CLI's bundle each
 * module keeps its source `import.meta.url`, so these resolve to the real files there too.)
 */
const INPUTS = [SCHEMA_FILE, new URL('./yaml-index.ts', import.meta.url), new URL('./load.ts', import.meta.url)];

/** Cache key: the text, the stamps of `INPUTS` and `yaml`'s package.json, the record format. */
async function cacheKey(text: string): Promise<string> {
  const files = [...INPUTS, yamlManifest()];
  const stamps = await Promise.all(files.map((f) => (f ? stat(f).then((s) => `${s.size}:${s.mtimeMs}`, () => '-') : '-')));
  return createHash('sha256').update(`${CACHE_FORMAT}\0${stamps.join('\0')}\0`).update(text).digest('hex');
}

function yamlManifest(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('yaml/package.json');
  } catch {
    return undefined;
  }
}

async function readCache(root: string, key: string): Promise<Parsed | undefined> {
  try {
    const rec = deserialize(await readFile(path.join(root, CONFIG_CACHE))) as Partial<CacheRecord>;
    if (rec.key !== key || !rec.spans || !Array.isArray(rec.stageOrder)) return undefined;
    const packed = rec.spans;
    return { value: rec.value, spans: () => unpackSpans(packed), stageOrder: rec.stageOrder };
  } catch {
    return undefined; // absent, unreadable or from another Node version: parse instead
  }
}

async function writeCache(root: string, key: string, parsed: Parsed): Promise<void> {
  const file = path.join(root, CONFIG_CACHE);
  // Unique per write (two loads in one process may race to fill the cache), and named so that
  // a later run can tell that a killed writer left it.
  const tmp = tmpPathBeside(file);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const rec: CacheRecord = { key, value: parsed.value, spans: packSpans(parsed.spans()), stageOrder: parsed.stageOrder };
    await writeFile(tmp, serialize(rec));
    await rename(tmp, file); // atomic: a concurrent reader sees the old record or the new one
  } catch {
    // A read-only checkout still loads; it just parses every time.
  }
}

/** Parses and checks the text; `parsed` may be cached only when `errors` is empty. */
async function parse(text: string, file: string): Promise<{ errors: Diagnostic[]; fatal: boolean; badStages: Set<string>; parsed: Parsed }> {
  const { parseDocument } = await import('yaml');
  const { validateShape } = await import('./schema.ts');
  const { indexDocument } = await import('./yaml-index.ts');
  const { plainValue } = await import('./yaml-value.ts');
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const index = indexDocument(doc, text);
  const src: SourceDoc = { file, text, lineStarts: lineStarts(text), ...index };
  const parsed: Parsed = { value: undefined, spans: () => index.spans, stageOrder: index.stageOrder };
  if (doc.errors.length > 0) return { errors: doc.errors.map((e) => yamlDiagnostic(e, src)), fatal: true, badStages: new Set(), parsed };
  // A repeated key leaves a usable document (the last one wins), so checking goes on.
  const errors: Diagnostic[] = index.duplicates.map((d) => ({ severity: 'error', message: `Duplicate key "${d.key}".`, location: locAt(src, d.range[0], d.range[1]) }));
  const plain = plainValue(doc);
  if (!plain.ok) {
    const at = plain.range ?? [0, 0];
    return { errors: [{ severity: 'error', message: plain.message, location: locAt(src, at[0], at[1]) }], fatal: true, badStages: new Set(), parsed };
  }
  if (plain.value === null || plain.value === undefined) {
    // Nothing but comments or whitespace: almost always a file truncated or not yet written.
    const message = 'The file is empty: it defines no stages.';
    return { errors: [{ severity: 'error', message, location: { file, line: 1, col: 1 }, hint: 'Add a stage, e.g. "stages: { hello: { cmd: echo hi } }".' }], fatal: true, badStages: new Set(), parsed };
  }
  parsed.value = plain.value;
  const shape = validateShape(parsed.value, src);
  errors.push(...shape.errors);
  return { errors, fatal: shape.fatal, badStages: shape.badStages, parsed };
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

  const key = await cacheKey(text);
  let parsed = await readCache(root, key);
  const errors: Diagnostic[] = [];
  let badStages = new Set<string>();
  if (!parsed) {
    const r = await parse(text, shown(file));
    errors.push(...r.errors);
    // Later passes need a well-formed root, params and profiles; a bad stage only hides itself.
    if (r.fatal) return failed(errors);
    if (errors.length === 0) await writeCache(root, key, r.parsed);
    parsed = r.parsed;
    badStages = r.badStages;
  }
  // Line starts and spans serve only locations, which a load without mistakes never computes.
  let starts: number[] | undefined;
  let spans: Map<string, Span> | undefined;
  const spansOf = parsed.spans;
  const src: SourceDoc = {
    file: shown(file),
    text,
    get lineStarts() {
      return (starts ??= lineStarts(text));
    },
    get spans() {
      return (spans ??= spansOf());
    },
    stageOrder: parsed.stageOrder,
  };
  const config = parsed.value as { params?: Record<string, unknown>; profiles?: Record<string, Record<string, unknown>>; stages?: Record<string, unknown>; executor?: 'local' | 'slurm'; cache?: { dir?: string } };

  const overrides = await applyOverrides(config.params ?? {}, { profiles: config.profiles ?? {}, profile: opts.profile, set: opts.set }, src);
  errors.push(...overrides.errors);
  const { stages, errors: stageErrors } = resolveStages(config.stages ?? {}, src, overrides.params, badStages);
  errors.push(...stageErrors);
  errors.push(...nulByteErrors(stages.values(), src));
  if (errors.length > 0) return failed(errors);
  errors.push(...checkContainment(stages.values(), root, path.relative(root, file).split(path.sep).join('/')));
  if (errors.length > 0) return failed(errors);

  const graph = buildGraph(stages, root, opts.exists);
  if (!graph.ok) return failed(graph.error);
  return ok({ root, file, params: overrides.params, stages, ...graph.value, ...(config.executor ? { executor: config.executor } : {}), ...(config.cache?.dir ? { cache: config.cache.dir } : {}) });
}
