/**
 * Where the CLI writes, and how. Kept apart from the verbs so that tests and the benchmark can
 * run `main` with captured output, and so that `--json` can guarantee one document on stdout.
 */

/** The CLI's view of the terminal. */
export interface CliIo {
  /** Writes to stdout (only the JSON document in `--json` mode). */
  out(text: string): void;
  /** Writes to stderr (logs, diagnostics, summaries). */
  err(text: string): void;
  /** Whether ANSI colour may be used on stderr (off under `NO_COLOR` or without a TTY). */
  color: boolean;
  /** Whether stderr is an interactive terminal (decides the live vs line reporter). */
  isTTY: boolean;
  /** Directory paths in messages are shown relative to. */
  cwd: string;
}

const closed = new Set<NodeJS.WriteStream>();
let watching = false;

/**
 * `pipeline status | head`: once the reader has gone, writing is pointless and not an error.
 * Without this, Node raises the EPIPE as an unhandled 'error' event (a stack trace, exit 1).
 * Further writes to that stream are dropped and the verb finishes as it would have: exiting
 * at once could stop a `run` in the middle of a stage because its log reader went away.
 */
function watchClosedPipes(): void {
  if (watching) return;
  watching = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
      closed.add(stream);
    });
  }
}

function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (!closed.has(stream) && !stream.destroyed) stream.write(text);
}

/** The process's real terminal, honouring `NO_COLOR` and `FORCE_COLOR`. */
export function processIo(): CliIo {
  watchClosedPipes();
  const isTTY = Boolean(process.stderr.isTTY);
  const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  const force = process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0';
  return {
    out: (t) => writeTo(process.stdout, t),
    err: (t) => writeTo(process.stderr, t),
    color: !noColor && (isTTY || force),
    isTTY,
    cwd: process.cwd(),
  };
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1, dim: 2 } as const;

/** A colour name understood by `paint`. */
export type ColorName = keyof typeof codes;

/** Wraps `text` in an ANSI colour when `enabled`; the identity otherwise. */
export function paint(enabled: boolean, color: ColorName, text: string): string {
  if (!enabled) return text;
  const close = color === 'bold' || color === 'dim' ? 22 : 39;
  return `\u001b[${codes[color]}m${text}\u001b[${close}m`;
}

/** `1234` → `1.2s`, `80` → `80ms`, `125000` → `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** `1536` → `1.5 KiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Renders rows as an aligned plain-text table (first row = header). */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), sep, ...body.map(line)].join('\n') + '\n';
}

/** Renders rows as a Markdown table (first row = header); `|` in cells is escaped. */
export function formatMarkdown(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  const line = (row: string[]) => `| ${row.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...body.map(line)].join('\n') + '\n';
}
