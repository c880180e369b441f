/**
 * Structural validation of pipeline.yaml against `schema/pipeline.schema.json` with ajv, and the
 * translation of ajv's errors into located, plain-word diagnostics.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Diagnostic } from '../types.ts';
import { didYouMean } from '../suggest.ts';
import { locKey, locValue, type SourceDoc } from './locate.ts';
import { SCHEMA_FILE } from './schema-file.ts';

type Json = Record<string, unknown>;

let compiled: ValidateFunction | undefined;

/**
 * The validator, compiled once per process: compiling costs tens of ms, and a load served from
 * the parse cache (see load.ts) never gets here at all.
 */
function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Json;
    // allErrors: every mistake in one pass. verbose: errors carry their schema object, whose
    // `x-expected` annotation words the message (schemaPath is ambiguous across $refs).
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true });
    ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

function decodePointer(p: string): string[] {
  return p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `Stage "train": ` / `Profile "ci": ` / '' for a path in the document. */
function subject(segs: string[]): string {
  if (segs[0] === 'stages' && segs[1] !== undefined) return `Stage "${segs[1]}": `;
  if (segs[0] === 'profiles' && segs[1] !== undefined) return `Profile "${segs[1]}": `;
  return '';
}

/** The thing that has the wrong shape, named as the user wrote it. */
function label(segs: string[], file: string): string {
  const named = segs.filter((s) => !/^\d+$/.test(s));
  if (named.length === 0) return file;
  if (named[0] === 'stages' && named[2] === 'matrix' && named[3] !== undefined) return `matrix axis "${named[3]}"`;
  if (named.length === 2 && named[0] === 'stages') return `Stage "${named[1]}"`;
  if (named.length === 2 && named[0] === 'profiles') return `Profile "${named[1]}"`;
  return `"${named[named.length - 1]}"`;
}

/** Keys a mapping may have, for "did you mean" (from the schema that rejected the key). */
function knownKeys(s: Json | undefined): string[] {
  const props = s?.properties;
  return typeof props === 'object' && props !== null ? Object.keys(props) : [];
}

function toDiagnostic(e: ErrorObject, src: SourceDoc): Diagnostic | undefined {
  // Errors about a property *name* arrive twice (once from the inner pattern); keep the outer one.
  if (e.propertyName !== undefined) return undefined;
  const segs = decodePointer(e.instancePath);
  const parent = e.parentSchema as Json | undefined;
  const expected = typeof parent?.['x-expected'] === 'string' ? parent['x-expected'] : undefined;
  const where = subject(segs);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const keySegs = [...segs, key];
      const what = segs.length === 0 ? 'top-level key' : 'key';
      const suggestion = didYouMean(key, knownKeys(parent));
      const d: Diagnostic = {
        severity: 'error',
        message: `${where}unknown ${what} "${key}".`,
        location: locKey(src, keySegs),
      };
      if (segs.length === 0) d.message = `Unknown top-level key "${key}".`;
      if (suggestion) d.hint = `Did you mean "${suggestion}"?`;
      else d.hint = `Allowed keys: ${knownKeys(parent).join(', ')}.`;
      return d;
    }
    case 'propertyNames': {
      const name = String(e.params.propertyName);
      const what = segs[0] === 'stages' && segs.length === 1 ? 'stage name' : segs[2] === 'matrix' ? 'matrix axis name' : 'key';
      const allowed =
        what === 'stage name'
          ? 'letters, digits, "_", "." and "-", not starting with "." or "-"'
          : what === 'matrix axis name'
            ? 'letters, digits, "_" and "-"'
            : 'dotted param keys made of letters, digits, "_" and "-"';
      return {
        severity: 'error',
        message: `${where}${where ? 'invalid' : 'Invalid'} ${what} "${name}": use ${allowed}.`,
        location: locKey(src, [...segs, name]),
      };
    }
    case 'required':
      return {
        severity: 'error',
        message: `${label(segs, path.basename(src.file))} has no "${String(e.params.missingProperty)}".`,
        location: locKey(src, segs),
      };
    default: {
      const file = path.basename(src.file);
      const text = label(segs, file);
      const prefix = text.startsWith('Stage ') || text.startsWith('Profile ') || text === file ? '' : where;
      return {
        severity: 'error',
        message: expected ? `${prefix}${text} must be ${expected}.` : `${prefix}${text} ${e.message ?? 'is invalid'}.`,
        location: locValue(src, segs),
      };
    }
  }
}

/** What `validateShape` found: the diagnostics, and how far later passes may still go. */
export interface ShapeReport {
  errors: Diagnostic[];
  /** Stages whose entry is malformed: later passes skip them. */
  badStages: Set<string>;
  /** Something outside a single stage is malformed (root, params, profiles): stop after this. */
  fatal: boolean;
}

/**
 * Validates the plain JS value of the document; every schema violation becomes one located
 * diagnostic. `value` must be the document `src` indexes, so that instance paths map to positions.
 */
export function validateShape(value: unknown, src: SourceDoc): ShapeReport {
  const validate = validator();
  const report: ShapeReport = { errors: [], badStages: new Set(), fatal: false };
  if (validate(value)) return report;
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const d = toDiagnostic(e, src);
    if (!d) continue;
    const segs = decodePointer(e.instancePath);
    const stage = segs[0] !== 'stages' ? undefined : segs[1] ?? (e.keyword === 'propertyNames' ? String(e.params.propertyName) : undefined);
    // An unknown key inside an entry leaves the rest usable, so its other mistakes still show.
    const harmless = e.keyword === 'additionalProperties' && segs.length > 0;
    if (!harmless && stage !== undefined) report.badStages.add(stage);
    else if (!harmless) report.fatal = true;
    const key = `${d.message}@${d.location?.line}:${d.location?.col}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report.errors.push(d);
  }
  return report;
}
