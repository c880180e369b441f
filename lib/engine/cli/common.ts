/**
 * Helpers the verbs share: `--set` parsing, printing diagnostics (text to stderr, and the JSON
 * document in `--json` mode), and reading the stores for read-only verbs.
 */
import type { Diagnostic } from '../types.ts';
import { formatDiagnostics, diagnosticsToJson } from '../diagnostics.ts';
import { parseSetArgs } from '../config/set-args.ts';
import { didYouMean } from '../suggest.ts';
import { UsageError, flag, list, str, type VerbContext } from './verb.ts';

/** Exit code for invalid config or usage. */
export const EXIT_USAGE = 2;

/** Prints diagnostics to stderr (and, with `--json`, `{ok:false, errors}` to stdout); returns `code`. */
export function reportDiagnostics(ctx: VerbContext, diags: Diagnostic[], code = EXIT_USAGE): number {
  ctx.io.err(formatDiagnostics(diags, { color: ctx.io.color, cwd: ctx.io.cwd }));
  if (flag(ctx.values, 'json')) printJson(ctx, { ok: false, errors: diagnosticsToJson(diags) });
  return code;
}

/** The one JSON document of `--json`. */
export function printJson(ctx: VerbContext, doc: unknown): void {
  ctx.io.out(JSON.stringify(doc, null, 2) + '\n');
}

/** `--profile` and `--set` as `LoadOptions` fields; `undefined` after printing a diagnostic. */
export function loadOverrides(ctx: VerbContext): { profile?: string; set?: { key: string; value: string }[] } | Diagnostic[] {
  const sets = list(ctx.values, 'set');
  const profile = str(ctx.values, 'profile');
  const out: { profile?: string; set?: { key: string; value: string }[] } = {};
  if (profile !== undefined) out.profile = profile;
  if (sets.length > 0) {
    const parsed = parseSetArgs(sets);
    if (!parsed.ok) return parsed.error;
    out.set = parsed.value;
  }
  return out;
}

/**
 * The sub-command of a verb (`metrics show`, `models list`): the first positional, which must
 * be one of `allowed`; a slip gets a did-you-mean (`models lsit` → list).
 */
export function subCommand<T extends string>(ctx: VerbContext, verb: string, allowed: readonly T[]): T {
  const action = ctx.positionals[0];
  if (action === undefined) throw new UsageError(`"pipeline ${verb}" needs a sub-command: ${allowed.join(', ')}.`);
  if (!(allowed as readonly string[]).includes(action)) {
    const guess = didYouMean(action, [...allowed]);
    throw new UsageError(`Unknown sub-command "${verb} ${action}".`, guess ? `Did you mean "${verb} ${guess}"?` : `Use one of: ${allowed.join(', ')}.`);
  }
  return action as T;
}
