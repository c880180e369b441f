/**
 * `${…}` interpolation in stage fields: `${item.AXIS}` (a matrix member's value) and
 * `${dotted.param}` (a param after profile and `--set`). `$${` stands for a literal `${`, which is
 * how a shell variable is written in `cmd` (`$${HOME}`; plain `$HOME` needs no escape).
 *
 * In a command, values are shell-quoted for where they land, so that a value is always one
 * word of data and never code (`--set x='a; rm -rf b'` passes that text, it runs nothing):
 * outside quotes a value with anything but `[A-Za-z0-9_@%+=:,./-]` is wrapped in '…' (plain
 * words stay as they are, so commands and their fingerprints do not change); inside "…" the
 * characters `\ " $ \`` get a backslash; inside '…' a `'` becomes `'\''`. `${raw:NAME}`
 * inserts the value unquoted, for a param that holds shell text on purpose.
 */
import { didYouMean } from '../suggest.ts';
import { getParam, paramKeys } from './params.ts';

/** One failed `${…}`: where it sits in the text and what is wrong. */
export interface InterpolationError {
  /** Index of `${` in the text. */
  index: number;
  length: number;
  message: string;
  hint?: string;
}

/** What `${…}` can name. */
export interface Scope {
  params: Record<string, unknown>;
  /** The matrix member's axis values; undefined outside a matrix stage. */
  item?: Record<string, unknown>;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : typeof v;
}

/** The prefix of a `${…}` that inserts its value as is, even in a command. */
export const RAW_PREFIX = 'raw:';

/** Shell quoting state at a point of a command: outside quotes, inside "…", inside '…'. */
type Quoting = 'none' | 'double' | 'single';

/** The quoting state after reading `text` from state `q` (backslash escapes included). */
function advance(q: Quoting, text: string): Quoting {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q === 'single') {
      if (c === "'") q = 'none';
    } else if (c === '\\') i++;
    else if (c === '"') q = q === 'double' ? 'none' : 'double';
    else if (c === "'" && q === 'none') q = 'single';
  }
  return q;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `value` quoted so that the shell reads it back as exactly this text where it lands. */
export function shellQuote(value: string, q: Quoting = 'none'): string {
  if (q === 'double') return value.replace(/[\\"$`]/g, '\\$&');
  const single = value.replace(/'/g, "'\\''");
  if (q === 'single') return single;
  return SAFE_WORD.test(value) ? value : `'${single}'`;
}

/** Options of `interpolate`. */
export interface InterpolateOptions {
  /** The text is a shell command: quote values (see the module doc) [false]. */
  shell?: boolean;
}

/** Replaces every `${…}` in `text`; returns the new text and every error found. */
export function interpolate(text: string, scope: Scope, opts: InterpolateOptions = {}): { text: string; errors: InterpolationError[] } {
  const errors: InterpolationError[] = [];
  if (!text.includes('${')) return { text, errors };
  let out = '';
  let i = 0;
  let quoting: Quoting = 'none';
  while (i < text.length) {
    const at = text.indexOf('${', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    if (at > 0 && text[at - 1] === '$') {
      out += text.slice(i, at - 1) + '${';
      quoting = advance(quoting, text.slice(i, at - 1));
      i = at + 2;
      continue;
    }
    out += text.slice(i, at);
    quoting = advance(quoting, text.slice(i, at));
    const close = text.indexOf('}', at + 2);
    if (close < 0) {
      errors.push({ index: at, length: text.length - at, message: `"${text.slice(at)}" has no closing "}".` });
      break;
    }
    const inner = text.slice(at + 2, close).trim();
    const raw = inner.startsWith(RAW_PREFIX);
    const name = raw ? inner.slice(RAW_PREFIX.length).trim() : inner;
    const length = close + 1 - at;
    const value = lookup(name, scope);
    if (!value.found) {
      const candidates = [...Object.keys(scope.item ?? {}).map((a) => `item.${a}`), ...paramKeys(scope.params)];
      const s = didYouMean(name, candidates);
      errors.push({
        index: at,
        length,
        message: `unknown variable "\${${name}}".`,
        hint: s
          ? `Did you mean "\${${s}}"?`
          : name.startsWith('item.') && !scope.item
            ? '"item" exists only in stages with a matrix.'
            : `Write "$\${${name}}" for a literal "\${${name}}".`,
      });
    } else if (!['string', 'number', 'boolean'].includes(typeof value.value)) {
      errors.push({
        index: at,
        length,
        message: `"\${${name}}" is ${describe(value.value)}, not a single value.`,
        hint: Array.isArray(value.value) || value.value === null ? undefined : 'Name one of its keys, e.g. "${' + `${name}.${Object.keys(value.value as object)[0] ?? 'key'}` + '}".',
      });
    } else {
      out += opts.shell && !raw ? shellQuote(String(value.value), quoting) : String(value.value);
    }
    i = close + 1;
  }
  return { text: out, errors };
}

function lookup(name: string, scope: Scope): { found: boolean; value?: unknown } {
  if (name.startsWith('item.') && scope.item) {
    const axis = name.slice(5);
    return Object.hasOwn(scope.item, axis) ? { found: true, value: scope.item[axis] } : { found: false };
  }
  return getParam(scope.params, name);
}
