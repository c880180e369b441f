/**
 * The YAML side of pipeline.lock: parsing with located diagnostics and deterministic
 * serialisation. Kept apart from lock.ts so that `yaml` (a large module to compile) loads only
 * when the lock must be parsed or rewritten, never in a no-op run served by the lock cache.
 */
import { isNode, LineCounter, parseDocument, stringify, type Document } from 'yaml';
import type { Diagnostic, LockEntry, LockFile, OutRecord, Result, SourceLocation } from '../types.ts';
import { plainValue } from '../config/yaml-value.ts';
import { isMode, isSha256, sortKeys } from './fs-util.ts';
import { fragments, LOCK_FILE } from './lock-cache.ts';

const hintFor = (file: string) => `Restore ${file} from git, or delete it to treat every stage as never run.`;

function byPath(a: OutRecord, b: OutRecord): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Parses lock text (exported for tests and for `params diff` against a git revision). */
export function parseLock(text: string, file: string = LOCK_FILE): Result<LockFile> {
  const HINT = hintFor(file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      error: doc.errors.map((e) => ({
        severity: 'error' as const,
        message: `${file} is not valid YAML: ${e.message.split('\n')[0] ?? ''}`,
        location: { file, line: e.linePos?.[0].line ?? 1, col: e.linePos?.[0].col ?? 1 },
        hint: HINT,
      })),
    };
  }
  const plain = plainValue(doc);
  if (!plain.ok) {
    const at = lc.linePos(plain.range?.[0] ?? 0);
    return { ok: false, error: [{ severity: 'error', message: `${file}: ${plain.message}`, location: { file, line: at.line, col: at.col }, hint: HINT }] };
  }
  const data: unknown = plain.value;
  if (data === null || data === undefined) return { ok: true, value: { schema: 1, stages: {} } };
  const errors: Diagnostic[] = [];
  const fail = (path: (string | number)[], message: string): void => {
    errors.push({ severity: 'error', message: `${file}: ${message}`, location: locate(doc, lc, path, file), hint: HINT });
  };
  if (!isMap(data)) {
    fail([], 'the top level must be a mapping with "schema" and "stages".');
    return { ok: false, error: errors };
  }
  if (data.schema !== 1) fail(['schema'], `unsupported schema ${JSON.stringify(data.schema ?? null)}; this version reads schema 1.`);
  const stages = data.stages ?? {};
  if (!isMap(stages)) fail(['stages'], '"stages" must be a mapping of stage name to entry.');
  else for (const [name, entry] of Object.entries(stages)) checkEntry(name, entry, ['stages', name], fail);
  if (errors.length > 0) return { ok: false, error: errors };
  return { ok: true, value: { schema: 1, stages: stages as Record<string, LockEntry> } };
}

function checkEntry(name: string, e: unknown, at: (string | number)[], fail: (path: (string | number)[], message: string) => void): void {
  const s = `stage "${name}"`;
  if (!isMap(e)) return fail(at, `${s} must be a mapping.`);
  if (typeof e.cmd !== 'string') fail([...at, 'cmd'], `${s}: "cmd" must be a string.`);
  if (e.wdir !== undefined && typeof e.wdir !== 'string') fail([...at, 'wdir'], `${s}: "wdir" must be a string.`);
  if (!isSha256(e.fingerprint)) fail([...at, 'fingerprint'], `${s}: "fingerprint" must be a SHA-256 digest.`);
  if (!isMap(e.params)) fail([...at, 'params'], `${s}: "params" must be a mapping.`);
  for (const key of ['deps', 'code', 'runtime'] as const) {
    const m = e[key];
    if (!isMap(m)) {
      fail([...at, key], `${s}: "${key}" must be a mapping.`);
      continue;
    }
    for (const [k, v] of Object.entries(m)) {
      if (key === 'runtime' ? typeof v !== 'string' : !isSha256(v)) fail([...at, key, k], `${s}: ${key} "${k}" must be ${key === 'runtime' ? 'a string' : 'a SHA-256 digest'}.`);
    }
  }
  if (!Array.isArray(e.outs)) return fail([...at, 'outs'], `${s}: "outs" must be a list.`);
  e.outs.forEach((o: unknown, i: number) => {
    const p = [...at, 'outs', i];
    if (!isMap(o)) return fail(p, `${s}: each out must be a mapping.`);
    if (typeof o.path !== 'string') fail([...p, 'path'], `${s}: out "path" must be a string.`);
    if (o.kind !== 'file' && o.kind !== 'dir') fail([...p, 'kind'], `${s}: out "kind" must be "file" or "dir".`);
    if (!isSha256(o.digest)) fail([...p, 'digest'], `${s}: out "digest" must be a SHA-256 digest.`);
    if (typeof o.size !== 'number') fail([...p, 'size'], `${s}: out "size" must be a number.`);
    if (o.files !== undefined && typeof o.files !== 'number') fail([...p, 'files'], `${s}: out "files" must be a number.`);
    if (o.executable !== undefined && o.executable !== true) fail([...p, 'executable'], `${s}: out "executable" must be true when present.`);
    if (o.mode !== undefined && !isMode(o.mode)) fail([...p, 'mode'], `${s}: out "mode" must be octal permission bits such as "600".`);
    if (o.modes !== undefined && !(isMap(o.modes) && Object.values(o.modes).every(isMode))) fail([...p, 'modes'], `${s}: out "modes" must map paths to octal permission bits.`);
  });
}

/** Location of the deepest existing node on `path` (the parent, when a key is missing). */
function locate(doc: Document, lc: LineCounter, path: (string | number)[], file: string): SourceLocation {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const start = lc.linePos(node.range[0]);
      const end = lc.linePos(node.range[1]);
      return { file, line: start.line, col: start.col, ...(end.line === start.line && end.col > start.col && { endLine: end.line, endCol: end.col }) };
    }
  }
  return { file, line: 1, col: 1 };
}

/** The lock's text: stage names sorted, keys in a fixed order, maps sorted by key. */
export function serializeLock(lock: LockFile): string {
  const names = Object.keys(lock.stages).sort();
  if (names.length === 0) return 'schema: 1\nstages: {}\n';
  return `schema: 1\nstages:\n${names.map((n) => fragment(n, lock.stages[n] as LockEntry)).join('')}`;
}

/** One stage's lines under `stages:` (indented by two spaces). */
export function fragment(name: string, e: LockEntry): string {
  const known = fragments.get(e);
  if (known?.name === name) return known.text;
  const body = {
    cmd: e.cmd,
    ...(e.wdir ? { wdir: e.wdir } : {}),
    fingerprint: e.fingerprint,
    params: sortKeys(e.params),
    deps: sortKeys(e.deps),
    code: sortKeys(e.code),
    runtime: sortKeys(e.runtime),
    outs: [...e.outs].sort(byPath).map(outRecord),
  };
  const yaml = stringify({ [name]: body }, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
  // A uniform shift keeps every nested block (block scalars included) valid under `stages:`.
  const text = yaml.replace(/^(?=.)/gm, '  ');
  fragments.set(e, { name, text });
  return text;
}

/**
 * An out as the lock shows it. Permission bits (`mode`, `modes`) stay in the run-cache record
 * only: they follow the umask of whoever ran the stage, and a committed lock must not change
 * from one machine to the next.
 */
function outRecord(o: OutRecord): Record<string, unknown> {
  return { path: o.path, kind: o.kind, digest: o.digest, size: o.size, ...(o.files !== undefined && { files: o.files }), ...(o.executable && { executable: true }) };
}

function isMap(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
