/**
 * `.pipeline/logs/runs.jsonl`: one JSON line per run, for looking back at wall times and memory
 * without rerunning anything.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageOutcome } from '../types.ts';

/** One line of the run log. */
export interface RunLogLine {
  startedAt: string;
  wallMs: number;
  ok: boolean;
  interrupted?: boolean;
  argv: string[];
  /** Peak RSS of the runner itself, bytes. */
  runnerPeakRssBytes: number;
  /** Largest peak RSS among the stages that ran, bytes. */
  stagePeakRssBytes?: number;
  stages: Pick<StageOutcome, 'name' | 'status' | 'durationMs' | 'peakRssBytes' | 'exitCode' | 'timings' | 'slurmJobId'>[];
}

/** Appends one run to the run log; a failure to write it only warns (returns the message). */
export async function appendRunLog(root: string, line: RunLogLine): Promise<string | undefined> {
  try {
    const dir = join(root, '.pipeline', 'logs');
    await mkdir(dir, { recursive: true });
    await appendFile(join(dir, 'runs.jsonl'), JSON.stringify(line) + '\n');
    return undefined;
  } catch (e) {
    return `could not append to .pipeline/logs/runs.jsonl: ${e instanceof Error ? e.message : String(e)}`;
  }
}
