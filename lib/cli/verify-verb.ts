/**
 * `pipeline verify`: re-derive the numbers the paper states from the current metrics and fail
 * on drift. The logic lives in `lib/report/numbers.ts` (no ML imports), so the CLI stays light.
 */
import { verifyNumbers } from '../report/numbers.ts';
import { paint } from '../engine/cli/io.ts';
import { printJson } from '../engine/cli/common.ts';
import { UsageError, flag, type VerbContext } from '../engine/cli/verb.ts';

/** Handler of `pipeline verify`: 0 when every number matches, 1 on drift (each mismatch named). */
export async function verifyVerb(ctx: VerbContext): Promise<number> {
  if (ctx.positionals.length > 0) throw new UsageError(`"pipeline verify" takes no arguments, got "${ctx.positionals[0]}".`);
  const report = await verifyNumbers(ctx.root);
  if (flag(ctx.values, 'json')) printJson(ctx, report);
  const bad = report.checks.filter((c) => c.status !== 'match' && c.status !== 'unavailable');
  const na = report.checks.filter((c) => c.status === 'unavailable');
  const matched = report.checks.length - bad.length - na.length;
  for (const c of bad) ctx.io.err(`${paint(ctx.io.color, 'red', '✖')} ${c.message}\n`);
  if (na.length > 0) ctx.io.err(`${paint(ctx.io.color, 'yellow', '!')} ${na.length} number(s) n/a in the paper, their sources not produced: ${na.map((c) => `\\${c.macro}`).join(', ')}\n`);
  ctx.io.err(report.ok
    ? `${paint(ctx.io.color, 'green', '✔')} ${matched} number(s) in ${report.file} match the current metrics.\n`
    : `${bad.length} of ${report.checks.length} number(s) in ${report.file} do not match the current metrics.\n`);
  return report.ok ? 0 : 1;
}
