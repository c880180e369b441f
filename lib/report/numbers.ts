/**
 * `paper/generated/numbers.tex`: generating it from the declarations in `paper-numbers.ts`,
 * reading it back, and verifying it against the current metrics (`pipeline verify`). No tfjs,
 * no vega: the CLI loads this module.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Json, atPath } from './data.ts';
import { type NumberDecl, PAPER_NUMBERS, type Source, type VerdictDecl } from './paper-numbers.ts';
import { anchor } from './published.ts';

/** Where the paper's numbers live, relative to the root. */
export const NUMBERS_TEX = 'paper/generated/numbers.tex';

/** Printed when a declared source does not exist (yet) in this run. */
export const NOT_AVAILABLE = 'n/a';

/** The current value of one declaration: printed text, raw value, or why there is none. */
export type Current =
  | { ok: true; text: string; value: number | string }
  | { ok: false; reason: string };

async function loadSource(root: string, file: string, cache: Map<string, Json | null>): Promise<Json | null> {
  if (!cache.has(file)) {
    try {
      cache.set(file, JSON.parse(await readFile(path.join(root, file), 'utf8')) as Json);
    } catch {
      cache.set(file, null);
    }
  }
  return cache.get(file) ?? null;
}

/** Groups of three digits with `{,}` so TeX sets no space after the comma. */
function group(intText: string): string {
  return intText.replace(/\B(?=(\d{3})+(?!\d))/g, '{,}');
}

/** Prints `value` as the paper shows it under `decl`. */
export function formatNumber(decl: NumberDecl, value: number): string {
  const digits = decl.digits ?? 3;
  const fixed = (value * (decl.scale ?? 1)).toFixed(digits);
  const [int = '0', frac] = fixed.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  return `${sign}${group(int.replace('-', ''))}${frac !== undefined ? `.${frac}` : ''}`;
}

/** Parses a printed number back (`1{,}234.5` → 1234.5); NaN when it is not one. */
export function parsePrinted(text: string): number {
  const plain = text.replace(/\{,\}|,/g, '').trim();
  return /^-?\d+(\.\d+)?$/.test(plain) ? Number(plain) : Number.NaN;
}

type Read = { ok: true; value: Json } | { ok: false; reason: string };

async function readSource(root: string, src: Source, cache: Map<string, Json | null>): Promise<Read> {
  const doc = await loadSource(root, src.file, cache);
  if (doc === null) return { ok: false, reason: `${src.file} does not exist or is not JSON` };
  const v = atPath(doc, src.path);
  return v === undefined ? { ok: false, reason: `${src.file} has no "${src.path}"` } : { ok: true, value: v };
}

async function readNumber(root: string, src: Source, cache: Map<string, Json | null>): Promise<{ ok: true; value: number } | { ok: false; reason: string }> {
  const r = await readSource(root, src, cache);
  if (!r.ok) return r;
  return typeof r.value === 'number' && Number.isFinite(r.value) ? { ok: true, value: r.value } : { ok: false, reason: `${src.file} has no number at "${src.path}"` };
}

/** The word a verdict declaration prints for `value` against `other` (a number or a range). */
export function verdictWord(decl: VerdictDecl, value: number, other: number | readonly [number, number]): string {
  const w = decl.words;
  if (typeof other !== 'number') {
    if (!('within' in w)) throw new Error(`\\${decl.macro}: a comparison with a range needs the words below/within/above`);
    return value < other[0] ? w.below : value > other[1] ? w.above : w.within;
  }
  if (!('better' in w) || decl.better === undefined) throw new Error(`\\${decl.macro}: a comparison with one value needs \`better\` and the words better/worse`);
  return (decl.better === 'min' ? value < other : value > other) ? w.better : w.worse;
}

/** The current value of `decl` under `root`. */
export async function currentValue(root: string, decl: NumberDecl, cache = new Map<string, Json | null>()): Promise<Current> {
  if (decl.kind === 'text') {
    const r = await readSource(root, decl, cache);
    if (!r.ok) return r;
    if (typeof r.value !== 'string' && typeof r.value !== 'number') return { ok: false, reason: `${decl.file} has no text at "${decl.path}"` };
    return { ok: true, text: escapeMacroText(String(r.value)), value: String(r.value) };
  }
  const own = await readNumber(root, decl, cache);
  if (!own.ok) return own;
  const v = own.value * (decl.scale ?? 1);
  switch (decl.kind) {
    case undefined:
    case 'number':
      return { ok: true, text: formatNumber(decl, own.value), value: own.value };
    case 'delta': {
      const minus = await readNumber(root, decl.minus, cache);
      if (!minus.ok) return minus;
      const d = own.value - minus.value;
      const text = formatNumber(decl, d);
      return { ok: true, text: text.startsWith('-') ? text : `+${text}`, value: d };
    }
    case 'verdict': {
      let other: number | readonly [number, number];
      if ('anchor' in decl.against) other = anchor(decl.against.anchor).value;
      else {
        const o = await readNumber(root, decl.against, cache);
        if (!o.ok) return o;
        other = o.value * (decl.scale ?? 1);
      }
      const word = verdictWord(decl, v, other);
      return { ok: true, text: escapeMacroText(word), value: word };
    }
  }
}

function escapeMacroText(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : `\\${c}`));
}

/** What {@link generateNumbersTex} produced. */
export interface NumbersTex {
  text: string;
  /** Pending keys (see `NumberDecl.pending`) that are missing: printed n/a, one warning each. */
  missing: string[];
  /** Missing keys that are not pending: one sentence each naming the macro, file and key. The text must not be written. */
  errors: string[];
}

/**
 * Generates the text of `numbers.tex`. A missing pending key prints as `n/a` and is listed in
 * `missing`; any other missing key is an error (never a silent 0 or n/a).
 */
export async function generateNumbersTex(root: string, decls: readonly NumberDecl[] = PAPER_NUMBERS): Promise<NumbersTex> {
  const cache = new Map<string, Json | null>();
  const lines = [
    '% Generated by the paper-numbers stage (lib/report/numbers.ts) from the pipeline\'s metrics.',
    '% Do not edit: `pipeline verify` checks every value below against the current metrics.',
  ];
  const missing: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const d of decls) {
    if (!/^[A-Za-z]+$/.test(d.macro)) throw new Error(`paper number macro "${d.macro}" must be letters only`);
    if (seen.has(d.macro)) throw new Error(`paper number macro "${d.macro}" is declared twice`);
    seen.add(d.macro);
    const cur = await currentValue(root, d, cache);
    if (!cur.ok) {
      if (d.pending !== undefined) missing.push(`\\${d.macro}: ${cur.reason} (pending: ${d.pending})`);
      else errors.push(`\\${d.macro} (${d.what}): ${cur.reason}.`);
    }
    const scale = d.scale && d.scale !== 1 ? ` ×${d.scale}` : '';
    const tol = toleranceOf(d) ? `, tolerance ${toleranceOf(d)}` : '';
    lines.push(`% ${d.what}: ${d.file} ${d.path}${scale}${tol}${d.kind === 'verdict' || d.kind === 'delta' ? ` (${d.kind})` : ''}`);
    lines.push(`\\newcommand{\\${d.macro}}{${cur.ok ? cur.text : NOT_AVAILABLE}}`);
  }
  return { text: `${lines.join('\n')}\n`, missing, errors };
}

/** `\newcommand{\name}{value}` lines of a numbers file: macro → printed value. */
export function parseNumbersTex(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*\\(?:re)?newcommand\{?\\([A-Za-z]+)\}?\{(.*)\}\s*(%.*)?$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The outcome of checking one macro. */
export interface Check {
  macro: string;
  status: 'match' | 'drift' | 'missing-in-paper' | 'undeclared' | 'unavailable';
  /** What numbers.tex says (absent when the macro is missing there). */
  paper?: string;
  /** The current metric printed the same way (absent when the source is missing). */
  current?: string;
  /** One sentence for the terminal. */
  message: string;
}

/** The result of `verifyNumbers`: `ok` when every check is a match (or consistently unavailable). */
export interface VerifyReport {
  ok: boolean;
  file: string;
  checks: Check[];
}

/**
 * Re-derives every declared number from the current metrics and compares it with what
 * `numbers.tex` (the paper's source of numbers) says. A number matches when it prints the same,
 * or differs by at most its declared tolerance; `n/a` matches only a source that is still missing.
 */
export async function verifyNumbers(root: string, opts: { decls?: readonly NumberDecl[]; file?: string } = {}): Promise<VerifyReport> {
  const decls = opts.decls ?? PAPER_NUMBERS;
  const file = opts.file ?? NUMBERS_TEX;
  let text: string;
  try {
    text = await readFile(path.join(root, file), 'utf8');
  } catch {
    return { ok: false, file, checks: [{ macro: '(file)', status: 'missing-in-paper', message: `${file} does not exist; run \`pipeline run paper-numbers\` first.` }] };
  }
  const paper = parseNumbersTex(text);
  const cache = new Map<string, Json | null>();
  const checks: Check[] = [];
  for (const d of decls) {
    const said = paper.get(d.macro);
    const cur = await currentValue(root, d, cache);
    const base = { macro: d.macro, ...(said !== undefined ? { paper: said } : {}), ...(cur.ok ? { current: cur.text } : {}) };
    if (said === undefined) {
      checks.push({ ...base, status: 'missing-in-paper', message: `\\${d.macro} (${d.what}) is declared but not defined in ${file}.` });
    } else if (!cur.ok) {
      // n/a is honest only for a key whose producer is not merged yet; any other missing key is a failure.
      checks.push(said === NOT_AVAILABLE && d.pending !== undefined
        ? { ...base, status: 'unavailable', message: `\\${d.macro} is n/a in the paper and its source is still missing (${cur.reason}).` }
        : { ...base, status: 'drift', message: `\\${d.macro} (${d.what}): the paper says ${said}, but ${cur.reason}.` });
    } else if (said === cur.text || withinTolerance(d, said, cur.value)) {
      checks.push({ ...base, status: 'match', message: `\\${d.macro} = ${said}` });
    } else {
      const tol = toleranceOf(d) ? ` (tolerance ${toleranceOf(d)})` : '';
      checks.push({ ...base, status: 'drift', message: `\\${d.macro} (${d.what}): the paper says ${said}, ${d.file} ${d.path} now gives ${cur.text}${tol}.` });
    }
  }
  const declared = new Set(decls.map((d) => d.macro));
  for (const [macro, said] of paper) {
    if (!declared.has(macro)) checks.push({ macro, status: 'undeclared', paper: said, message: `\\${macro} is in ${file} but not declared in lib/report/paper-numbers.ts.` });
  }
  return { ok: checks.every((c) => c.status === 'match' || c.status === 'unavailable'), file, checks };
}

/** Only plain numbers drift within a tolerance: deltas and verdicts must print the same. */
function toleranceOf(d: NumberDecl): number {
  return d.kind === undefined || d.kind === 'number' ? d.tolerance ?? 0 : 0;
}

function withinTolerance(d: NumberDecl, said: string, value: number | string): boolean {
  const tolerance = toleranceOf(d);
  if (typeof value !== 'number' || !tolerance) return false;
  const printed = parsePrinted(said);
  return Number.isFinite(printed) && Math.abs(printed - value * (d.scale ?? 1)) <= tolerance + 1e-12;
}
