/**
 * The one error type for failures a user or the machine causes (a mistyped option, a full disk,
 * a directory where a file belongs). The CLI prints them as `error: …` with a hint and no stack
 * trace; anything else that escapes is a bug and keeps its stack ("internal error").
 *
 * Config mistakes found while loading stay `Diagnostic` values (many at once, each located);
 * a `UserError` is for the single failure that stops an operation where it happens.
 */
import path from 'node:path';

/** Why an operation failed; decides the exit code (`exitCodeOf`). */
export type UserErrorReason =
  /** A mistake on the command line (unknown verb or option, bad value). */
  | 'usage'
  /** A mistake in a file the user edits (pipeline.yaml, models/registry.json). */
  | 'invalid-config'
  /** The file system refused: full, read-only, permissions, a name too long, a loop… */
  | 'environment';

/** What a `UserError` carries besides its message. */
export interface UserErrorOptions {
  /** The file it is about, as the user should see it. */
  path?: string;
  /** The fix, when there is one. */
  hint?: string;
  /** For 'environment': the errno code (`ENOSPC`, `EISDIR`…), for callers that switch on it. */
  code?: string;
  /** The error it was made from. */
  cause?: unknown;
}

/** A failure the user or the environment caused: printed without a stack trace. */
export class UserError extends Error {
  readonly path?: string;
  readonly hint?: string;
  readonly code?: string;
  constructor(
    readonly reason: UserErrorReason,
    message: string,
    opts: UserErrorOptions = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'UserError';
    if (opts.path !== undefined) this.path = opts.path;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.code !== undefined) this.code = opts.code;
  }
}

/** Exit codes of the CLI (DESIGN.md): 1 for what stopped a run, 2 for invalid config or usage. */
export function exitCodeOf(e: UserError): 1 | 2 {
  return e.reason === 'usage' || e.reason === 'invalid-config' ? 2 : 1;
}

/** Per errno code: the cause in plain words, and the fix. */
const CAUSES: Record<string, { cause: string; hint: string }> = {
  ENOSPC: { cause: 'the disk is full', hint: 'Free some space (`pipeline gc --max-size SIZE` trims the cache) and run again.' },
  EDQUOT: { cause: 'the disk quota is exhausted', hint: 'Free some space (`pipeline gc --max-size SIZE` trims the cache) and run again.' },
  ENAMETOOLONG: { cause: 'the name is too long for the file system', hint: 'Use a shorter stage name or path.' },
  EISDIR: { cause: 'it is a directory where a file belongs', hint: 'Move the directory away (or delete it if it holds nothing you need) and run again.' },
  ENOTDIR: { cause: 'a part of the path is a file where a directory belongs', hint: 'Move that file away and run again.' },
  ELOOP: { cause: 'symbolic links on the path point at each other in a loop', hint: 'Fix or remove the looping symlink (`ls -l` shows where each one points).' },
  EACCES: { cause: 'permission denied', hint: 'Check the permissions of the path and its directories (`ls -ld`).' },
  EPERM: { cause: 'the operation is not permitted', hint: 'Check the permissions and owner of the path (`ls -ld`).' },
  EROFS: { cause: 'the file system is read-only', hint: 'Run from a writable checkout.' },
  EMFILE: { cause: 'too many files are open', hint: 'Raise the limit (`ulimit -n 4096`) or run fewer stages at once (`-j`).' },
  ENFILE: { cause: 'the system has too many files open', hint: 'Run fewer stages at once (`-j`) or close other programs.' },
  EIO: { cause: 'an input/output error occurred (a failing disk or network file system)', hint: 'Check the disk or mount and run again.' },
};

const NUL = { cause: 'the path contains a NUL byte (\\0), which no file name can hold', hint: 'Remove the \\0 from the path in pipeline.yaml.' };

function errnoOf(e: unknown): (NodeJS.ErrnoException & { dest?: string }) | undefined {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' ? (e as NodeJS.ErrnoException) : undefined;
}

/** `abs` relative to `base` when inside it, else as is. */
function shownPath(abs: string, base: string | undefined): string {
  if (base === undefined) return abs;
  const rel = path.relative(base, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/**
 * The `UserError` for a Node file-system error the environment caused (ENOSPC, ENAMETOOLONG,
 * EISDIR, ENOTDIR, ELOOP, EACCES, EROFS, EMFILE, a NUL byte in a path…): the path, the cause in
 * plain words and a fix. `undefined` for anything else (ENOENT, EBADF…), which the caller
 * rethrows: those point at a bug more often than at the machine.
 */
export function fromErrno(e: unknown, opts: { path?: string; base?: string } = {}): UserError | undefined {
  const x = errnoOf(e);
  if (!x) return undefined;
  const nul = x.code === 'ERR_INVALID_ARG_VALUE' && /null bytes/.test(x.message);
  const known = nul ? NUL : CAUSES[x.code!];
  if (!known) return undefined;
  const show = (p: string) => shownPath(p, opts.base).replace(/\0/g, '\\0');
  const src = opts.path ?? x.path ?? nulPath(x);
  // rename, link and copyfile name two paths: say both, and file the error under the destination.
  const dest = opts.path === undefined && x.dest !== undefined ? x.dest : undefined;
  const shown = src === undefined ? undefined : show(src);
  const message = shown === undefined
    ? `${capital(known.cause)}.`
    : dest !== undefined
      ? `Cannot ${verb(x.syscall)} ${shown} to ${show(dest)}: ${known.cause}.`
      : `Cannot ${verb(x.syscall)} ${shown}: ${known.cause}.`;
  const where = dest !== undefined ? show(dest) : shown;
  return new UserError('environment', message, { ...(where !== undefined ? { path: where } : {}), hint: known.hint, code: x.code!, cause: e });
}

/** Node's NUL-byte error names the path only inside its message ("Received '/a/b\x00c'"). */
function nulPath(x: Error): string | undefined {
  const m = /Received '(.*)'$/s.exec(x.message);
  return m?.[1]?.replace(/\\x00/g, '\0');
}

function verb(syscall: string | undefined): string {
  switch (syscall) {
    case 'open': return 'open';
    case 'read': case 'scandir': case 'readlink': return 'read';
    case 'write': return 'write';
    case 'mkdir': return 'create the directory';
    case 'rename': return 'move';
    case 'link': return 'link';
    case 'unlink': case 'rmdir': case 'rm': return 'remove';
    case 'stat': case 'lstat': case 'access': return 'look at';
    case 'copyfile': return 'copy';
    default: return 'use';
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `e` itself when it is a `UserError`, the errno translation when there is one, else undefined (a bug). */
export function asUserError(e: unknown, opts: { base?: string } = {}): UserError | undefined {
  return e instanceof UserError ? e : fromErrno(e, opts);
}

/** One line (plus the hint) for a `UserError`, as stage failures and `error:` lines show it. */
export function userErrorText(e: UserError): string {
  return e.hint ? `${e.message} ${e.hint}` : e.message;
}
