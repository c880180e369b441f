/**
 * A NUL byte (`\0`, e.g. from a double-quoted "\0" or a param's value) can be neither in a
 * command — the shell's argv is C strings, so the command would be cut or refused only when the
 * stage starts — nor in a file name. Refused at load time, after interpolation, where it is.
 */
import type { Diagnostic, Stage } from '../types.ts';
import { located, locValue, type SourceDoc } from './locate.ts';

const HINT = 'Remove the \\0 (check the params the value interpolates).';

/** One located error per command, dep or out of `stages` that holds a NUL byte. */
export function nulByteErrors(stages: Iterable<Stage>, src: SourceDoc): Diagnostic[] {
  const errors: Diagnostic[] = [];
  for (const s of stages) {
    if (s.cmd.includes('\0')) errors.push(located(`Stage "${s.name}": the command contains a NUL byte (\\0), which no shell command can hold.`, locValue(src, ['stages', s.group, 'cmd']), HINT));
    for (const [kind, paths, at] of [['dep', s.deps, s.depLocations], ['out', s.outs, s.outLocations]] as const) {
      paths.forEach((p, i) => {
        if (!p.includes('\0')) return;
        const shown = JSON.stringify(p).slice(1, -1).replace(/\\u0000/g, '\\0');
        errors.push(located(`Stage "${s.name}": ${kind} "${shown}" contains a NUL byte (\\0), which no file name can hold.`, at?.[i] ?? s.location, HINT));
      });
    }
  }
  return errors;
}
