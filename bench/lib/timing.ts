/** Wall-clock timing of child processes for benchmarks: repetitions and the median. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The median of `xs` (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * CPU time (user + system, ms) of this process's waited-for children so far, from
 * /proc/self/stat (cutime, cstime); undefined where /proc is missing. Resolution: one clock tick.
 */
export function childCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3; cutime and cstime are fields 16 and 17.
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? (ticks * 1000) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** One timed run. */
export interface Timing {
  wallMs: number;
  /** CPU of the child (user + system); undefined without /proc. */
  cpuMs?: number;
}

/** Runs `cmd args` `reps` times; returns each run's wall and CPU time. Throws when a run fails. */
export function timeCommand(cmd: string, args: string[], reps: number, opts: SpawnSyncOptions = {}): Timing[] {
  const times: Timing[] = [];
  for (let i = 0; i < reps; i++) {
    const cpu0 = childCpuMs();
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...opts });
    const wallMs = performance.now() - t0;
    const cpu1 = childCpuMs();
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-2000)}`);
    times.push({ wallMs, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuMs: cpu1 - cpu0 } : {}) });
  }
  return times;
}

/** Medians of wall and CPU time over runs. */
export function medianTiming(ts: Timing[]): Timing {
  const cpus = ts.map((t) => t.cpuMs).filter((c): c is number => c !== undefined);
  return { wallMs: median(ts.map((t) => t.wallMs)), ...(cpus.length === ts.length ? { cpuMs: median(cpus) } : {}) };
}

/** A Markdown table. */
export function markdownTable(head: string[], rows: string[][]): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
