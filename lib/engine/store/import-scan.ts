/**
 * Finds the module specifiers a JS/TS source imports at runtime, without a parser: comments
 * and string contents are masked first so that `import` inside a string or comment never
 * counts, then a few patterns pick out the import forms.
 */

/**
 * Runtime import specifiers of `source`, in order of appearance, deduplicated:
 * `import … from 'x'`, `import 'x'`, `export … from 'x'`, `import('x')`, `require('x')`, and
 * the assets a module reads beside itself, `new URL('x', import.meta.url)` (a file's contents
 * at runtime are as much its code as an import; a directory URL such as `'./'` names no file).
 * `import type` / `export type` are skipped: they vanish at runtime.
 */
export function scanImports(source: string): string[] {
  const { masked, literals } = mask(source);
  const found: { at: number; spec: string }[] = [];
  const lit = (n: string | undefined): string | undefined => (n === undefined ? undefined : literals[Number(n)]);
  // Each pattern captures the literal's index as `lit`, and `type` where the form can be type-only.
  const patterns: RegExp[] = [
    // import x from / import {a} from / import * as ns from / import x, {a} from / import 'x'
    /(?<![\w$.])import\s*(?<type>type\s+)?(?:(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*)?"#(?<lit>\d+)"/g,
    /(?<![\w$.])export\s*(?<type>type\s+)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*"#(?<lit>\d+)"/g,
    /(?<![\w$.])(?:import|require)\s*\(\s*"#(?<lit>\d+)"\s*[,)]/g,
    // new URL('./kernels.as.ts', import.meta.url): an asset read at runtime
    /(?<![\w$.])new\s+URL\s*\(\s*"#(?<lit>\d+)"\s*,\s*import\s*\.\s*meta\s*\.\s*url\s*,?\s*\)/g,
  ];
  for (const [i, re] of patterns.entries()) {
    const isAsset = i === patterns.length - 1;
    for (const m of masked.matchAll(re)) {
      if (m.groups?.['type']) continue;
      const spec = lit(m.groups?.['lit']);
      if (spec === undefined || (isAsset && isDirectoryUrl(spec))) continue;
      found.push({ at: m.index, spec });
    }
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.spec))];
}

/** `new URL('./', import.meta.url)` and the like name a directory, which no resolution should turn into `./index.ts`. */
function isDirectoryUrl(spec: string): boolean {
  const path = spec.split(/[?#]/)[0] as string;
  return path === '.' || path === '..' || path.endsWith('/') || path.endsWith('/.') || path.endsWith('/..');
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
