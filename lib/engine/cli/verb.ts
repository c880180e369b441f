/**
 * The shape of a CLI verb and the argument parsing every verb shares. A verb is data (name,
 * usage, options) plus a lazily imported handler, so that `pipeline --help` or `pipeline dag`
 * never pays for the modules `run` needs.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './io.ts';
import { UserError } from '../errors.ts';

/** One option as `node:util` parseArgs understands it, plus its help line. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder for the value in help (`N`, `SIZE`). */
  value?: string;
  help: string;
}

/** What a handler receives. */
export interface VerbContext {
  /** Absolute project root (`-C DIR`, else the cwd). */
  root: string;
  io: CliIo;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A verb handler returns the process exit code. */
export type VerbHandler = (ctx: VerbContext) => Promise<number>;

/** A verb: its help and a loader for its handler. */
export interface VerbSpec {
  name: string;
  /** One line for `pipeline --help`. */
  summary: string;
  /** Usage line after `pipeline `, e.g. `run [TARGET…] [options]`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Extra help paragraphs. */
  details?: string;
  /** Command lines shown under "Examples:" in its help (after `pipeline `), each with a `# what it does`. */
  examples: string[];
  load: () => Promise<VerbHandler>;
}

/** A usage mistake: a `UserError` of reason 'usage', printed with a pointer to the verb's help, exit 2. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint !== undefined ? { hint } : {});
  }
}

/** Options every verb accepts (handled by the CLI before the verb runs). */
export const commonOptions: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  cwd: { type: 'string', short: 'C', value: 'DIR', help: 'run as if started in DIR' },
};

/** Parses a verb's arguments; unknown options become a `UsageError` with a suggestion. */
export function parseVerbArgs(
  spec: VerbSpec,
  args: string[],
  suggest: (word: string, candidates: string[]) => string | undefined,
): { values: VerbContext['values']; positionals: string[] } {
  const options = { ...commonOptions, ...spec.options };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args, options: config, allowPositionals: true, strict: true });
    return { values: values as VerbContext['values'], positionals };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const names = Object.keys(options).map((n) => `--${n}`);
      const guess = suggest(unknown, names);
      throw new UsageError(`Unknown option "${unknown}" for "pipeline ${spec.name}".`, guess ? `Did you mean "${guess}"?` : undefined);
    }
    // parseArgs messages are already plain sentences ("Option '-j, --jobs <value>' argument missing").
    throw new UsageError(message.split('\n')[0] ?? message);
  }
}

/** The `--help` text of a verb. */
export function verbHelp(spec: VerbSpec): string {
  const rows = Object.entries({ ...spec.options, ...commonOptions }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.help + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  const lines = [`Usage: pipeline ${spec.usage}`, '', spec.summary, ''];
  if (spec.details) lines.push(spec.details, '');
  lines.push('Options:', ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`));
  lines.push('', 'Examples:', ...spec.examples.map((e) => `  pipeline ${e}`));
  return lines.join('\n') + '\n';
}

/** Reads an option that parseArgs typed as string. */
export function str(values: VerbContext['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a boolean flag. */
export function flag(values: VerbContext['values'], name: string): boolean {
  return values[name] === true;
}

/** Reads a repeatable string option. */
export function list(values: VerbContext['values'], name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
