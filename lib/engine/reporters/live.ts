/**
 * The TTY reporter: a listr2 tree of stages, each showing its latest progress line while it
 * runs (`epoch 3/20 loss 0.41 ETA 12s`). listr2 is imported here only, and this module only
 * when a live view is wanted, so non-interactive runs never load it.
 */
import type { EngineEvent, Reporter, StageOutcome } from '../types.ts';
import type { CliIo } from '../cli/io.ts';
import { describeOutcome, formatProgress } from './format.ts';

interface Slot {
  outcome: Promise<StageOutcome>;
  settle: (o: StageOutcome) => void;
  setOutput?: (text: string) => void;
  setTitle?: (text: string) => void;
  started?: boolean;
}

/** Live listr2 view of a run. */
export class LiveReporter implements Reporter {
  private slots = new Map<string, Slot>();
  private running: Promise<unknown> | undefined;
  private warnings: string[] = [];
  /** Stages the plan says will do work, with what they will do. */
  private planned = new Map<string, 'run' | 'restore' | 'blocked'>();
  /** Stages that ended before anything started (cached): left out of the tree. */
  private endedEarly = new Set<string>();

  constructor(private readonly io: CliIo) {}

  private slot(name: string): Slot {
    let s = this.slots.get(name);
    if (!s) {
      let settle!: (o: StageOutcome) => void;
      const outcome = new Promise<StageOutcome>((r) => (settle = r));
      s = { outcome, settle };
      this.slots.set(name, s);
    }
    return s;
  }

  private async start(names: string[]): Promise<void> {
    if (!this.io.color) process.env['LISTR_FORCE_UNICODE'] ??= '1';
    const { Listr } = await import('listr2');
    const tasks = names.map((name) => {
      const slot = this.slot(name);
      const action = this.planned.get(name);
      return {
        // Until the stage starts, the title says what the plan expects of it.
        title: action === 'restore' ? `${name} (to restore from the cache)` : action === 'blocked' ? `${name} (blocked)` : name,
        rendererOptions: { outputBar: 1, persistentOutput: false },
        task: async (_ctx: unknown, task: { title: string; output: string; skip: (m?: string) => void }) => {
          slot.setOutput = (t) => (task.output = t);
          slot.setTitle = (t) => (task.title = t);
          const o = await slot.outcome;
          task.title = `${name} ${describeOutcome(o)}`;
          if (o.status === 'failed') throw new Error(o.error ?? `Stage "${name}" failed.`);
          if (o.status === 'skipped') task.skip(`${name} skipped: ${o.error ?? ''}`);
        },
      };
    });
    const list = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      rendererOptions: { collapseSubtasks: false, showErrorMessage: true, formatOutput: 'truncate' },
    });
    await list.run().catch(() => {});
  }

  event(e: EngineEvent): void {
    switch (e.type) {
      case 'plan':
        for (const s of e.stages) if (s.action !== 'fresh') this.planned.set(s.name, s.action);
        return;
      case 'stage-start': {
        // The tree starts with the first stage that does work, so that a mostly fresh
        // 500-stage pipeline does not paint 500 "cached" rows (the summary counts them).
        this.running ??= this.start([...this.planned.keys()].filter((n) => !this.endedEarly.has(n)));
        const s = this.slot(e.name);
        s.started = true;
        s.setTitle?.(`${e.name} running…`);
        return;
      }
      case 'stage-progress':
        this.slot(e.name).setOutput?.(formatProgress(e.progress));
        return;
      case 'stage-end':
        if (!this.running) this.endedEarly.add(e.outcome.name);
        this.slot(e.outcome.name).settle(e.outcome);
        return;
      case 'warning':
        // listr2 owns the terminal while rendering; warnings are printed once it lets go.
        this.warnings.push(e.message);
        return;
      case 'done':
        return;
    }
  }

  async close(): Promise<void> {
    // Stages the run never reported (it stopped early) must not keep listr waiting.
    for (const [name, s] of this.slots) s.settle({ name, status: 'skipped', durationMs: 0, error: 'not started' });
    await this.running;
    for (const w of this.warnings) this.io.err(`warning: ${w}\n`);
  }
}
