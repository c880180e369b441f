/**
 * The non-TTY reporter (CI, pipes): one timestamped line per event on stderr. Progress lines
 * are throttled per stage so a chatty training loop does not flood a CI log.
 */
import type { EngineEvent, Reporter } from '../types.ts';
import type { CliIo } from '../cli/io.ts';
import { paint } from '../cli/io.ts';
import { describeOutcome, formatProgress } from './format.ts';

/** Minimum gap between two progress lines of the same stage. */
const PROGRESS_EVERY_MS = 2000;

/** Line-per-event reporter. */
export class LinesReporter implements Reporter {
  private lastProgress = new Map<string, number>();

  constructor(private readonly io: CliIo) {}

  private line(symbol: string, text: string): void {
    const ts = new Date().toISOString().slice(11, 23);
    this.io.err(`${paint(this.io.color, 'gray', ts)} ${symbol} ${text}\n`);
  }

  event(e: EngineEvent): void {
    const c = this.io.color;
    switch (e.type) {
      case 'plan':
        return;
      case 'stage-start':
        return this.line(paint(c, 'cyan', '▶'), `${e.name} started`);
      case 'stage-progress': {
        const now = Date.now();
        if (now - (this.lastProgress.get(e.name) ?? 0) < PROGRESS_EVERY_MS) return;
        this.lastProgress.set(e.name, now);
        return this.line(paint(c, 'gray', '·'), `${e.name} ${formatProgress(e.progress)}`);
      }
      case 'stage-end': {
        const o = e.outcome;
        const sym = o.status === 'failed' ? paint(c, 'red', '✖') : o.status === 'skipped' ? paint(c, 'yellow', '↓') : paint(c, 'green', '✔');
        return this.line(sym, `${o.name} ${describeOutcome(o)}${o.status === 'failed' || o.status === 'skipped' ? `: ${o.error ?? ''}` : ''}`);
      }
      case 'warning':
        return this.line(paint(c, 'yellow', '⚠'), e.message);
      case 'done':
        return;
    }
  }

  async close(): Promise<void> {}
}
