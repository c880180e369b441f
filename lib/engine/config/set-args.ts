/**
 * Parsing of `--set key=value` command-line overrides.
 */
import type { Diagnostic, Result } from '../types.ts';
import { err, ok } from '../types.ts';

/** A dotted param key: `seed`, `ex1.units`, `ex3.attention.heads`. */
const KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Splits each `key=value` at its first `=`. The value is kept as text: `loadPipeline` parses it
 * as a YAML scalar once it knows the params. Every malformed argument is reported, not just the
 * first.
 */
export function parseSetArgs(args: string[]): Result<{ key: string; value: string }[]> {
  const out: { key: string; value: string }[] = [];
  const errors: Diagnostic[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq).trim();
    if (eq < 0 || !KEY.test(key)) {
      errors.push({
        severity: 'error',
        message: `--set "${arg}": expected key=value with a dotted param key.`,
        hint: 'For example: --set ex1.units=128',
      });
      continue;
    }
    out.push({ key, value: arg.slice(eq + 1) });
  }
  return errors.length > 0 ? err(errors) : ok(out);
}
