/**
 * The `pipeline` command line: global flags, verb dispatch, usage errors. Verbs live in
 * `cli/verbs.ts` and are imported only when called, so startup stays cheap; a project adds its
 * own with `main(argv, io, { extraVerbs })` (the engine imports nothing of any project).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { didYouMean } from './suggest.ts';
import { processIo, paint, type CliIo } from './cli/io.ts';
import { asUserError, exitCodeOf, type UserError } from './errors.ts';
import { UsageError, parseVerbArgs, verbHelp, type VerbSpec } from './cli/verb.ts';
import { findVerb, verbs as engineVerbs } from './cli/verbs.ts';

/** Exit codes of the CLI (DESIGN.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function globalHelp(verbs: readonly VerbSpec[]): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    'Usage: pipeline [-C DIR] <verb> [options]',
    '',
    'A YAML DAG runner with content-hash caching (acts on ./pipeline.yaml or DIR/pipeline.yaml).',
    '',
    'Verbs:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'Global options:',
    '  -C, --cwd DIR   run as if started in DIR',
    '  -h, --help      show help (also `pipeline <verb> --help`)',
    '  --version       print the version',
    '',
    'Examples:',
    '  pipeline run                     # bring every stage up to date',
    '  pipeline status                  # what is not fresh, and why',
    '  pipeline metrics diff            # metrics now vs the last commit',
    '  pipeline run --help              # a verb\'s options and examples',
    '',
    'Exit codes: 0 success, 1 a stage failed or the machine refused (disk full, permissions…), 2 invalid config or usage.',
  ].join('\n') + '\n';
}

/** Splits `-C DIR` / `--cwd DIR` / `-C=DIR` off the front of argv (they may also follow the verb). */
function takeLeadingGlobals(argv: string[]): { cwd?: string; rest: string[]; help: boolean; version: boolean } {
  const rest = [...argv];
  let cwd: string | undefined;
  let help = false;
  let showVersion = false;
  while (rest.length > 0) {
    const a = rest[0]!;
    if (a === '-C' || a === '--cwd') {
      if (rest[1] === undefined) throw new UsageError(`Option "${a}" needs a directory.`);
      cwd = rest[1];
      rest.splice(0, 2);
    } else if (a.startsWith('--cwd=') || a.startsWith('-C=')) {
      cwd = a.slice(a.indexOf('=') + 1);
      rest.shift();
    } else if (a === '-h' || a === '--help') {
      help = true;
      rest.shift();
    } else if (a === '--version' || a === '-v') {
      showVersion = true;
      rest.shift();
    } else if (a.startsWith('-')) {
      throw new UsageError(`Unknown option "${a}".`, 'Options other than -C, --help and --version go after the verb.');
    } else break;
  }
  return { ...(cwd !== undefined ? { cwd } : {}), rest, help, version: showVersion };
}

/** `error: …` and the hint; usage mistakes also point at the help. No stack trace: the user can act on this. */
function reportUserError(io: CliIo, e: UserError, spec?: VerbSpec): number {
  io.err(`${paint(io.color, 'red', 'error:')} ${e.message}\n`);
  if (e.hint) io.err(`  ${e.hint}\n`);
  if (e.reason === 'usage') io.err(`Run "pipeline ${spec ? `${spec.name} ` : ''}--help" for usage.\n`);
  return exitCodeOf(e);
}

/** A bug: the stack helps whoever fixes it. */
function reportBug(io: CliIo, e: unknown): number {
  const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
  io.err(`${paint(io.color, 'red', 'internal error:')} ${text}\n(a bug in pipeline: please report it)\n`);
  return EXIT.failed;
}

/** Options of `main`. */
export interface MainOptions {
  /** Verbs of the project running the engine, listed after the engine's own (same name: the project's wins). */
  extraVerbs?: readonly VerbSpec[];
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], ttyIo: CliIo = processIo(), opts: MainOptions = {}): Promise<number> {
  const extra = opts.extraVerbs ?? [];
  const verbs = [...engineVerbs.filter((v) => !extra.some((x) => x.name === v.name)), ...extra];
  let spec: VerbSpec | undefined;
  // `--json` promises one document on stdout: an error that stops a verb before it printed one
  // still gets `{ok: false, errors}`.
  let json = false;
  let printed = false;
  const io: CliIo = { ...ttyIo, out: (t) => ((printed = true), ttyIo.out(t)) };
  try {
    const g = takeLeadingGlobals(argv);
    if (g.version) {
      io.out(`${version()}\n`);
      return EXIT.ok;
    }
    const [verbName, ...args] = g.rest;
    if (verbName === undefined) {
      (g.help ? io.out : io.err)(globalHelp(verbs));
      return g.help ? EXIT.ok : EXIT.usage;
    }
    if (verbName === 'help') {
      const target = args[0] !== undefined ? findVerb(args[0], verbs) : undefined;
      io.out(target ? verbHelp(target) : globalHelp(verbs));
      return EXIT.ok;
    }
    spec = findVerb(verbName, verbs);
    if (!spec) {
      const guess = didYouMean(verbName, verbs.map((v) => v.name));
      throw new UsageError(`Unknown verb "${verbName}".`, guess ? `Did you mean "${guess}"?` : `Verbs: ${verbs.map((v) => v.name).join(', ')}.`);
    }
    const suggest = (w: string, c: string[]) => didYouMean(w, c) ?? undefined;
    const { values, positionals } = parseVerbArgs(spec, args, suggest);
    if (g.help || values['help'] === true) {
      io.out(verbHelp(spec));
      return EXIT.ok;
    }
    json = values['json'] === true;
    const cwdOpt = typeof values['cwd'] === 'string' ? values['cwd'] : g.cwd;
    const root = resolve(io.cwd, cwdOpt ?? '.');
    const handler = await spec.load();
    return await handler({ root, io, values, positionals });
  } catch (e) {
    const user = asUserError(e, { base: io.cwd });
    if (json && !printed) {
      const error = user ? { message: user.message, ...(user.hint ? { hint: user.hint } : {}), ...(user.path ? { file: user.path } : {}), ...(user.code ? { code: user.code } : {}) } : { message: `internal error: ${String(e)}` };
      io.out(`${JSON.stringify({ ok: false, errors: [{ severity: 'error', ...error }] }, null, 2)}\n`);
    }
    return user ? reportUserError(io, user, spec) : reportBug(io, e);
  }
}
