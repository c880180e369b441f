/**
 * Checking `models/registry.json` against its types before anything reads it, so that a null
 * entry or a wrong type is a message with its JSON path (`$.models.ex1.versions[0].version`)
 * instead of a TypeError deep in a promotion.
 */
type Check = (v: unknown) => string | undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

const str: Check = (v) => (typeof v === 'string' ? undefined : `must be a string, got ${show(v)}`);
const num: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `must be a number, got ${show(v)}`);
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false, got ${show(v)}`);
// A version's files are written to `--to DIR/<path>` and read from `objects/<digest>`: neither may
// point outside those directories.
const relPath: Check = (v) =>
  typeof v === 'string' && v !== '' && !v.startsWith('/') && !v.split(/[\\/]/).includes('..') && !v.includes('\0')
    ? undefined
    : `must be a relative path inside the project, got ${show(v)}`;
const digest: Check = (v) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? undefined : `must be a SHA-256 (64 lowercase hex digits), got ${show(v)}`);
const versionNo: Check = (v) => (Number.isInteger(v) && (v as number) >= 1 ? undefined : `must be a version number (1, 2, …), got ${show(v)}`);

/** Appends `.key` or `["odd key"]` to a JSON path. */
function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Every problem of `data` as a registry, each `$.json.path: what is wrong` (empty when it is a
 * valid schema-1 registry). Fills in `previous` where older files lack it.
 */
export function registryProblems(data: unknown): string[] {
  const out: string[] = [];
  const bad = (path: string, why: string | undefined): void => void (why !== undefined && out.push(`${path} ${why}`));
  const object = (path: string, v: unknown): v is Record<string, unknown> => {
    if (isObj(v)) return true;
    out.push(`${path} must be an object, got ${show(v)}`);
    return false;
  };
  const list = (path: string, v: unknown, each: (p: string, item: unknown) => void): void => {
    if (!Array.isArray(v)) return void out.push(`${path} must be a list, got ${show(v)}`);
    v.forEach((item, i) => each(at(path, i), item));
  };
  if (!object('$', data)) return out;
  if (data['schema'] !== 1) out.push(`$.schema must be 1 (this version reads schema 1), got ${show(data['schema'])}`);
  if (!object('$.models', data['models'])) return out;
  for (const [name, entry] of Object.entries(data['models'])) {
    const p = at('$.models', name);
    if (!object(p, entry)) continue;
    entry['previous'] ??= [];
    if (entry['production'] !== undefined) bad(at(p, 'production'), versionNo(entry['production']));
    list(at(p, 'previous'), entry['previous'], (q, v) => bad(q, versionNo(v)));
    list(at(p, 'versions'), entry['versions'], (q, v) => {
      if (!object(q, v)) return;
      bad(at(q, 'version'), versionNo(v['version']));
      bad(at(q, 'fingerprint'), str(v['fingerprint']));
      bad(at(q, 'registeredAt'), str(v['registeredAt']));
      if (v['stage'] !== undefined) bad(at(q, 'stage'), str(v['stage']));
      if (v['member'] !== undefined) bad(at(q, 'member'), str(v['member']));
      if (v['rolledBack'] !== undefined) bad(at(q, 'rolledBack'), bool(v['rolledBack']));
      if (object(at(q, 'metrics'), v['metrics'])) for (const [k, m] of Object.entries(v['metrics'])) bad(at(at(q, 'metrics'), k), num(m));
      list(at(q, 'files'), v['files'], (f, file) => {
        if (!object(f, file)) return;
        bad(at(f, 'path'), relPath(file['path']));
        bad(at(f, 'sha256'), digest(file['sha256']));
        bad(at(f, 'size'), num(file['size']));
      });
      if (v['gate'] !== undefined && object(at(q, 'gate'), v['gate'])) {
        const g = v['gate'];
        bad(at(q, 'gate.passed'), bool(g['passed']));
        if (g['value'] !== null) bad(at(q, 'gate.value'), num(g['value']));
        if (object(at(q, 'gate.gate'), g['gate'])) {
          bad(at(q, 'gate.gate.metric'), str(g['gate']['metric']));
          bad(at(q, 'gate.gate.threshold'), num(g['gate']['threshold']));
          const d = g['gate']['direction'];
          if (d !== 'max' && d !== 'min') out.push(`${at(q, 'gate.gate.direction')} must be "max" or "min", got ${show(d)}`);
        }
      }
    });
  }
  return out;
}
