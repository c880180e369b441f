/**
 * Params: dotted-key lookup, profiles and `--set` overrides.
 */
import type { Diagnostic } from '../types.ts';
import { didYouMean } from '../suggest.ts';
import { locKey, type SourceDoc } from './locate.ts';

type Mapping = Record<string, unknown>;

function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every addressable key of a params tree: `ex1`, `ex1.units`, … (groups and leaves). */
export function paramKeys(params: Mapping, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    const key = prefix + k;
    keys.push(key);
    if (isMapping(v)) keys.push(...paramKeys(v, `${key}.`));
  }
  return keys;
}

/** The value at a dotted key, walking nested mappings; `found: false` when a segment is missing. */
export function getParam(params: Mapping, key: string): { found: boolean; value?: unknown } {
  let cur: unknown = params;
  for (const seg of key.split('.')) {
    if (!isMapping(cur) || !Object.hasOwn(cur, seg)) return { found: false };
    cur = cur[seg];
  }
  return { found: true, value: cur };
}

function setParam(params: Mapping, key: string, value: unknown): void {
  const segs = key.split('.');
  let cur = params;
  for (const seg of segs.slice(0, -1)) {
    // A profile may have replaced a group with a scalar; a later --set inside it rebuilds it.
    const next = cur[seg];
    cur = isMapping(next) ? next : (cur[seg] = {});
  }
  cur[segs[segs.length - 1] as string] = value;
}

function unknownParam(message: string, key: string, keys: string[]): Diagnostic {
  const d: Diagnostic = { severity: 'error', message };
  const s = didYouMean(key, keys);
  if (s) d.hint = `Did you mean "${s}"?`;
  return d;
}

/**
 * A `--set` value as YAML would read it (`128` → 128, `true` → true, `0.1` → 0.1, `[1, 2]` → a
 * list); anything that is not a well-formed scalar or flow collection stays the literal text.
 */
export async function parseSetValue(text: string): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  // Loaded on demand: a load served from the parse cache needs no YAML parser at all.
  const [{ isScalar, parseDocument }, { plainValue }] = await Promise.all([import('yaml'), import('./yaml-value.ts')]);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: true, value: text };
  if (isScalar(doc.contents)) return { ok: true, value: doc.contents.value };
  if (!/^\s*[[{]/.test(text)) return { ok: true, value: text };
  return plainValue(doc);
}

/** Profiles of the file, and which profile and `--set`s a load asks for. */
export interface OverrideOptions {
  profiles: Record<string, Mapping>;
  profile?: string;
  set?: { key: string; value: string }[];
}

/**
 * Applies the selected profile, then `--set`, to a copy of `params`. Keys of *every* profile are
 * checked (located), so that a typo in the CI profile shows up on a developer's run too.
 */
export async function applyOverrides(params: Mapping, opts: OverrideOptions, src: SourceDoc): Promise<{ params: Mapping; errors: Diagnostic[] }> {
  const errors: Diagnostic[] = [];
  const keys = paramKeys(params);
  const out = structuredClone(params);
  for (const [name, overrides] of Object.entries(opts.profiles)) {
    for (const key of Object.keys(overrides)) {
      if (getParam(params, key).found) continue;
      const d = unknownParam(`Profile "${name}": "${key}" is not a param.`, key, keys);
      d.location = locKey(src, ['profiles', name, key]);
      errors.push(d);
    }
  }
  if (opts.profile !== undefined) {
    const chosen = opts.profile;
    const overrides = opts.profiles[chosen];
    if (!overrides) {
      const names = Object.keys(opts.profiles);
      const d = unknownParam(
        names.length === 0 ? `Unknown profile "${chosen}": the pipeline defines no profiles.` : `Unknown profile "${chosen}".`,
        chosen,
        names,
      );
      if (!d.hint && names.length > 0) d.hint = `Profiles: ${names.join(', ')}.`;
      errors.push(d);
    } else {
      for (const [key, value] of Object.entries(overrides)) {
        if (getParam(params, key).found) setParam(out, key, structuredClone(value));
      }
    }
  }
  for (const { key, value } of opts.set ?? []) {
    if (!getParam(params, key).found) {
      errors.push(unknownParam(`--set "${key}": no such param.`, key, keys));
      continue;
    }
    const parsed = await parseSetValue(value);
    if (parsed.ok) setParam(out, key, parsed.value);
    else errors.push({ severity: 'error', message: `--set "${key}=${value}": ${parsed.message}`, hint: 'Aliases (*name) cannot refer to anything in a --set value.' });
  }
  return { params: out, errors };
}
