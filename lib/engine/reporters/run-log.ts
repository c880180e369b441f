/**
 * `.pipeline/logs/runs.jsonl`: one JSON line per run, for looking back at what ran, from which
 * commit, with which overrides, how long it took and what it measured, without rerunning
 * anything (`pipeline runs`). Lines written before ids existed are numbered by position.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageOutcome } from '../types.ts';
import type { Scalar } from '../metrics.ts';

/** The run log, relative to the project root. */
export const RUN_LOG = '.pipeline/logs/runs.jsonl';

/** One line of the run log. */
export interface RunLogLine {
  /** Sortable, unique: the start time to the second and 4 random hex digits (`20261206-091502-a3f0`). */
  id?: string;
  /** `run --name NAME`. */
  name?: string;
  startedAt: string;
  wallMs: number;
  ok: boolean;
  interrupted?: boolean;
  argv: string[];
  /** The commit checked out (12 hex), and whether tracked files differed from it. */
  commit?: string;
  dirty?: boolean;
  profile?: string;
  /** `--set` overrides as given (`ex1.units=128`). */
  set?: string[];
  targets?: string[];
  /** Headline metrics after the run, per stage, of the stages that ran or were restored. */
  metrics?: Record<string, Record<string, Scalar>>;
  /** Peak RSS of the runner itself, bytes. */
  runnerPeakRssBytes: number;
  /** Largest peak RSS among the stages that ran, bytes. */
  stagePeakRssBytes?: number;
  stages: Pick<StageOutcome, 'name' | 'status' | 'durationMs' | 'peakRssBytes' | 'exitCode' | 'timings' | 'slurmJobId'>[];
}

/** A new run id for a run started at `at`. */
export function newRunId(at: Date): string {
  const iso = at.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}

/** Appends one run to the run log; a failure to write it only warns (returns the message). */
export async function appendRunLog(root: string, line: RunLogLine): Promise<string | undefined> {
  try {
    await mkdir(join(root, '.pipeline', 'logs'), { recursive: true });
    await appendFile(join(root, RUN_LOG), JSON.stringify(line) + '\n');
    return undefined;
  } catch (e) {
    return `could not append to ${RUN_LOG}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Every run recorded, oldest first, each with an id (`#N`, its line number, for lines from
 * before ids). A line that does not parse (a crash mid-append) is skipped and counted.
 */
export async function readRunLog(root: string): Promise<{ runs: (RunLogLine & { id: string })[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(join(root, RUN_LOG), 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { runs: [], skipped: 0 };
    throw e;
  }
  const runs: (RunLogLine & { id: string })[] = [];
  let skipped = 0;
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      const doc = JSON.parse(line) as RunLogLine;
      if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.stages)) throw new Error('not a run');
      runs.push({ ...doc, id: doc.id ?? `#${i + 1}` });
    } catch {
      skipped++;
    }
  }
  return { runs, skipped };
}
