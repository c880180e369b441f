/**
 * Reporter registry: name → factory. The CLI picks `live` on a TTY, `lines` elsewhere, `json`
 * for `--json`; more reporters register by adding an entry.
 */
import type { Reporter } from '../types.ts';
import type { CliIo } from '../cli/io.ts';
import { LinesReporter } from './lines.ts';
import { JsonReporter } from './json.ts';

/** Builds a reporter; may import its renderer lazily. */
export type ReporterFactory = (io: CliIo) => Promise<Reporter>;

/** Known reporters. */
export const reporters: Record<string, ReporterFactory> = {
  live: async (io) => new (await import('./live.ts')).LiveReporter(io),
  lines: async (io) => new LinesReporter(io),
  json: async (io) => new JsonReporter(io),
};

/** The reporter a run uses when none is named. */
export function defaultReporterName(io: CliIo, json: boolean): string {
  if (json) return 'json';
  return io.isTTY && !process.env['CI'] ? 'live' : 'lines';
}
