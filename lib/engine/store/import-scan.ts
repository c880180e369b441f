/**
 * Finds the module specifiers a JS/TS source imports at runtime, without a parser: comments
 * and string contents are masked first so that `import` inside a string or comment never
 * counts, then a few patterns pick out the import forms.
 */

/**
 * Runtime import specifiers of `source`, in order of appearance, deduplicated:
 * `import … from 'x'`, `import 'x'`, `export … from 'x'`, `import('x')`, `require('x')`.
 * `import type` / `export type` are skipped: they vanish at runtime.
 */
export function scanImports(source: string): string[] {
  const { masked, literals } = mask(source);
  const found: { at: number; spec: string }[] = [];
  const lit = (n: string | undefined): string | undefined => (n === undefined ? undefined : literals[Number(n)]);
  const patterns: RegExp[] = [
    // import x from / import {a} from / import * as ns from / import x, {a} from / import 'x'
    /(?<![\w$.])import\s*(type\s+)?(?:(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*)?"#(\d+)"/g,
    /(?<![\w$.])export\s*(type\s+)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*"#(\d+)"/g,
    /(?<![\w$.])(import|require)\s*\(\s*"#(\d+)"\s*[,)]/g,
  ];
  for (const re of patterns) {
    for (const m of masked.matchAll(re)) {
      if (m[1]?.startsWith('type')) continue;
      const spec = lit(m[2]);
      if (spec !== undefined) found.push({ at: m.index, spec });
    }
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.spec))];
}

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/**
 * Replaces comments with spaces, each string literal with `"#N"` (N indexes `literals`) and
 * template literals and regex literals with blanks.
 */
function mask(src: string): { masked: string; literals: string[] } {
  const literals: string[] = [];
  let out = '';
  let i = 0;
  let lastSignificant = ''; // last non-space token-ish text, to tell regex from division
  const n = src.length;
  while (i < n) {
    const c = src[i] as string;
    const d = src[i + 1];
    if (c === '/' && d === '/') {
      const end = src.indexOf('\n', i);
      i = end === -1 ? n : end;
      out += ' ';
      continue;
    }
    if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
      out += ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < n && src[j] !== c && src[j] !== '\n') {
        if (src[j] === '\\') {
          value += src[j + 1] ?? '';
          j += 2;
        } else {
          value += src[j];
          j++;
        }
      }
      out += `"#${literals.length}"`;
      literals.push(value);
      i = j + 1;
      lastSignificant = '"';
      continue;
    }
    if (c === '`') {
      i = skipTemplate(src, i + 1);
      out += '``';
      lastSignificant = '`';
      continue;
    }
    if (c === '/' && regexAllowed(lastSignificant)) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        const ch = src[j];
        if (ch === '\\') j++;
        else if (ch === '[') inClass = true;
        else if (ch === ']') inClass = false;
        else if (ch === '/' && !inClass) break;
        j++;
      }
      i = j + 1;
      out += '/ /';
      lastSignificant = '/re';
      continue;
    }
    if (/[\w$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(src[j] as string)) j++;
      lastSignificant = src.slice(i, j);
      out += lastSignificant;
      i = j;
      continue;
    }
    out += c;
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return { masked: out, literals };
}

function regexAllowed(last: string): boolean {
  if (last === '') return true;
  if (/^[\w$]+$/.test(last)) return REGEX_AFTER_WORD.has(last);
  return !(last === ')' || last === ']' || last === '}' || last === '"' || last === '`' || last === '/re');
}

/** Index just past the template literal starting after its opening backtick. */
function skipTemplate(src: string, i: number): number {
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '\\') i += 2;
    else if (c === '`') return i + 1;
    else if (c === '$' && src[i + 1] === '{') {
      // Skip the substitution, minding nested braces, strings and templates.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const ch = src[i];
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
        else if (ch === '`') {
          i = skipTemplate(src, i + 1);
          continue;
        } else if (ch === '"' || ch === "'") {
          let j = i + 1;
          while (j < n && src[j] !== ch && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
          i = j;
        }
        i++;
      }
    } else i++;
  }
  return n;
}
