/**
 * Printing diagnostics, wireit style: all at once, each with its location and the offending
 * source text underlined.
 *
 * ```
 * ❌ pipeline.yaml:14:7 Stage "train": unknown key "epoch". Did you mean "epochs"?
 *       epoch: 20
 *       ~~~~~
 * ```
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, SourceLocation } from './types.ts';

/** Options of `formatDiagnostics`. */
export interface FormatOptions {
  /** ANSI colours and the ❌ mark; plain `error:` / `warning:` prefixes otherwise. */
  color: boolean;
  /** Relative `location.file`s are read from here, and paths are shown relative to it. */
  cwd: string;
}

const RED = (s: string): string => `\x1b[31m${s}\x1b[39m`;
const YELLOW = (s: string): string => `\x1b[33m${s}\x1b[39m`;
const BOLD = (s: string): string => `\x1b[1m${s}\x1b[22m`;
const DIM = (s: string): string => `\x1b[2m${s}\x1b[22m`;

/** Source lines per absolute file, so a file with many errors is read once. */
type LineCache = Map<string, string[] | undefined>;

function sourceLines(cache: LineCache, file: string): string[] | undefined {
  if (!cache.has(file)) {
    let lines: string[] | undefined;
    try {
      lines = readFileSync(file, 'utf8').split(/\r?\n/);
    } catch {
      lines = undefined; // the excerpt is a courtesy; the message alone still stands
    }
    cache.set(file, lines);
  }
  return cache.get(file);
}

function where(loc: SourceLocation, cwd: string): string {
  const abs = path.resolve(cwd, loc.file);
  const rel = path.relative(cwd, abs);
  const file = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : loc.file;
  return `${file}:${loc.line}:${loc.col}`;
}

/** The source line and a `~~~` underline below the span (first line of the span only). */
function excerpt(loc: SourceLocation, opts: FormatOptions, cache: LineCache, indent: string): string[] {
  const line = sourceLines(cache, path.resolve(opts.cwd, loc.file))?.[loc.line - 1];
  if (line === undefined) return [];
  const text = line.trimEnd();
  const start = Math.min(loc.col - 1, text.length);
  const end = loc.endLine === undefined || loc.endLine === loc.line ? (loc.endCol ?? loc.col + 1) - 1 : text.length;
  const width = Math.max(1, Math.min(end, text.length) - start);
  // Keep tabs in the padding so that the tildes line up under tab-indented text.
  const pad = text.slice(0, start).replace(/[^\t]/g, ' ');
  const tildes = '~'.repeat(width);
  return [indent + text, indent + pad + (opts.color ? RED(tildes) : tildes)];
}

function headline(d: Diagnostic, opts: FormatOptions): string {
  const text = d.hint ? `${d.message} ${d.hint}` : d.message;
  const at = d.location ? `${where(d.location, opts.cwd)} ` : '';
  if (!opts.color) return `${d.severity}: ${at}${text}`;
  const mark = d.severity === 'error' ? '❌' : '⚠️';
  const paint = d.severity === 'error' ? RED : YELLOW;
  return `${mark} ${at ? BOLD(at) : ''}${paint(text)}`;
}

/**
 * Renders every diagnostic, blank-line separated, ending with a newline: a headline
 * (`error: file:line:col message hint`, or `❌ …` with colour), the source line, an underline,
 * and each related note indented with its own excerpt.
 */
export function formatDiagnostics(diags: Diagnostic[], opts: FormatOptions): string {
  const cache: LineCache = new Map();
  const blocks = diags.map((d) => {
    const lines = [headline(d, opts)];
    if (d.location) lines.push(...excerpt(d.location, opts, cache, ''));
    for (const r of d.related ?? []) {
      const at = r.location ? `${where(r.location, opts.cwd)} ` : '';
      lines.push(`    ${opts.color ? DIM('note:') : 'note:'} ${at}${r.message}`);
      if (r.location) lines.push(...excerpt(r.location, opts, cache, '    '));
    }
    return lines.join('\n');
  });
  return blocks.length > 0 ? `${blocks.join('\n\n')}\n` : '';
}

/** A diagnostic flattened for `--json` output. */
export interface DiagnosticJson {
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  col?: number;
  endLine?: number;
  endCol?: number;
  related?: { message: string; file?: string; line?: number; col?: number }[];
}

function flatLoc(loc: SourceLocation | undefined): Partial<SourceLocation> {
  return loc ? { ...loc } : {};
}

/** JSON-ready copies of the diagnostics (locations flattened), for the CLI's `--json` document. */
export function diagnosticsToJson(diags: Diagnostic[]): DiagnosticJson[] {
  return diags.map((d) => ({
    severity: d.severity,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    ...flatLoc(d.location),
    ...(d.related ? { related: d.related.map((r) => ({ message: r.message, ...flatLoc(r.location) })) } : {}),
  }));
}
