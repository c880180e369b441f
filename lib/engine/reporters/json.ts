/**
 * The `--json` reporter: silent, because stdout must hold exactly one JSON document (the CLI
 * prints it after the run). Warnings still go to stderr, which `--json` leaves free for logs.
 */
import type { EngineEvent, Reporter } from '../types.ts';
import type { CliIo } from '../cli/io.ts';

/** Silent reporter for `--json`. */
export class JsonReporter implements Reporter {
  constructor(private readonly io: CliIo) {}

  event(e: EngineEvent): void {
    if (e.type === 'warning') this.io.err(`warning: ${e.message}\n`);
  }

  async close(): Promise<void> {}
}
