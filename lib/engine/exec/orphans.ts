/**
 * Stage processes outliving their runner. Stages run in their own process group (so that
 * the whole tree can be killed), which also means a runner that is SIGKILLed leaves them
 * running — still writing outs that the next run is about to roll back. So each running
 * stage is recorded in `.pipeline/tmp/running/<safe-stage-id>.json`, and recovery stops the
 * groups of records whose runner is gone before it repairs any out.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { safeStageId, tmpDir } from './paths.ts';
import { groupAlive, pidAlive, readStat } from './proc.ts';

interface RunningRecord {
  stage: string;
  /** Leader of the stage's process group. */
  pgid: number;
  /** Start time of the leader, so that a reused pid is never signalled. */
  startTicks?: string;
  /** The runner that started it; a live runner's stages are not orphans. */
  runnerPid: number;
  runnerStartTicks?: string;
}

const runningDir = (root: string): string => join(tmpDir(root), 'running');
const recordPath = (root: string, stage: string): string => join(runningDir(root), `${safeStageId(stage)}.json`);

/** Prepares the folder of records (once per stage start, before spawning). */
export async function prepareRunning(root: string): Promise<void> {
  await mkdir(runningDir(root), { recursive: true });
}

/** Records a just-started stage. Synchronous so that no await separates spawn and record. */
export function recordRunning(root: string, stage: string, pgid: number): void {
  const rec: RunningRecord = {
    stage,
    pgid,
    runnerPid: process.pid,
    ...optional('startTicks', readStat(pgid)?.startTicks),
    ...optional('runnerStartTicks', readStat(process.pid)?.startTicks),
  };
  writeFileSync(recordPath(root, stage), JSON.stringify(rec) + '\n');
}

/** Forgets a stage whose process group is gone. */
export function clearRunning(root: string, stage: string): void {
  rmSync(recordPath(root, stage), { force: true });
}

/**
 * Kills the process groups of stages whose runner died (SIGTERM, SIGKILL after `graceMs`),
 * waits until they are gone and removes their records. Returns the stage names.
 */
export async function stopOrphanedStages(root: string, graceMs = 3000): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(runningDir(root));
  } catch {
    return [];
  }
  const orphans: RunningRecord[] = [];
  for (const name of names) {
    const file = join(runningDir(root), name);
    let rec: RunningRecord;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as RunningRecord;
    } catch {
      rmSync(file, { force: true }); // half-written by a runner killed mid-write
      continue;
    }
    if (sameProcess(rec.runnerPid, rec.runnerStartTicks)) continue; // its runner (maybe us) still runs
    // The leader may have exited while its children still run; the group id stays theirs.
    if (groupAlive(rec.pgid) && (rec.startTicks === undefined || !leaderReplaced(rec))) orphans.push(rec);
    else rmSync(file, { force: true });
  }
  if (orphans.length === 0) return [];
  for (const o of orphans) signalGroup(o.pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (orphans.some((o) => groupAlive(o.pgid)) && Date.now() < deadline) await sleep(50);
  for (const o of orphans) if (groupAlive(o.pgid)) signalGroup(o.pgid, 'SIGKILL');
  // A SIGKILLed process runs no more user code, but on a starved machine its exit can take
  // seconds to be scheduled; wait for it (bounded) so callers see the group gone.
  while (orphans.some((o) => groupAlive(o.pgid)) && Date.now() < deadline + 15_000) await sleep(50);
  for (const o of orphans) clearRunning(root, o.stage);
  return orphans.map((o) => o.stage);
}

/** Whether the pid now belongs to another process (its start time differs). */
function leaderReplaced(rec: RunningRecord): boolean {
  const st = readStat(rec.pgid);
  return st !== undefined && st.startTicks !== rec.startTicks;
}

function sameProcess(pid: number, startTicks: string | undefined): boolean {
  if (!pidAlive(pid)) return false;
  const st = readStat(pid);
  return startTicks === undefined || st === undefined || st.startTicks === startTicks;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
