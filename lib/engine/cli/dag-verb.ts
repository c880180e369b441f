/** `pipeline dag`: the stage graph as Mermaid, Graphviz dot or JSON. */
import { loadPipeline } from '../config/load.ts';
import { formatDag } from '../graph.ts';
import { didYouMean } from '../suggest.ts';
import { UsageError, str, type VerbContext } from './verb.ts';
import { loadOverrides, reportDiagnostics } from './common.ts';

const formats = ['mermaid', 'dot', 'json'] as const;

/** Handler of `pipeline dag`. */
export async function dagVerb(ctx: VerbContext): Promise<number> {
  const format = str(ctx.values, 'format') ?? 'mermaid';
  if (!(formats as readonly string[]).includes(format)) {
    const guess = didYouMean(format, [...formats]);
    throw new UsageError(`Unknown format "${format}".`, guess ? `Did you mean "${guess}"?` : `Formats: ${formats.join(', ')}.`);
  }
  if (ctx.positionals.length > 0) throw new UsageError(`"pipeline dag" takes no arguments, got "${ctx.positionals[0]}".`);
  const overrides = loadOverrides(ctx);
  if (Array.isArray(overrides)) return reportDiagnostics(ctx, overrides);
  const loaded = await loadPipeline({ root: ctx.root, ...overrides });
  if (!loaded.ok) return reportDiagnostics(ctx, loaded.error);
  const text = formatDag(loaded.value, format as (typeof formats)[number]);
  ctx.io.out(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
