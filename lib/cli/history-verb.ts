/**
 * `pipeline history [--out FILE]`: the run history as a page of plots (lib/report/history-page.ts).
 * A project verb because the plots use the report's Vega renderer, which the engine must not import.
 */
import { readRunLog, RUN_LOG } from '../engine/reporters/run-log.ts';
import { printJson } from '../engine/cli/common.ts';
import { UsageError, flag, str, type VerbContext } from '../engine/cli/verb.ts';
import { writeHistoryPage } from '../report/history-page.ts';

/** Handler of `pipeline history`. */
export async function historyVerb(ctx: VerbContext): Promise<number> {
  if (ctx.positionals.length > 0) throw new UsageError(`"pipeline history" takes no arguments, got "${ctx.positionals[0]}".`);
  const out = str(ctx.values, 'out') ?? 'reports/history.html';
  const { runs, skipped } = await readRunLog(ctx.root);
  if (skipped > 0) ctx.io.err(`warning: ${skipped} line(s) of ${RUN_LOG} do not parse and were skipped.\n`);
  const r = await writeHistoryPage(ctx.root, runs, out);
  if (flag(ctx.values, 'json')) printJson(ctx, { ok: true, file: out, plots: r.plots, runs: r.runs });
  else ctx.io.err(`Wrote ${out}: ${r.plots} plot(s) over ${r.runs} run(s).\n`);
  return 0;
}
