/**
 * Stage processes outliving their runner. Stages run in their own process group (so that
 * the whole tree can be killed), which also means a runner that is SIGKILLed leaves them
 * running — still writing outs that the next run is about to roll back. So each running
 * stage is recorded in `.pipeline/tmp/running/<safe-stage-id>.json`, and recovery stops the
 * groups of records whose runner is gone before it repairs any out.
 *
 * The record is written twice: before the spawn with a token that the stage inherits in its
 * environment (`PIPELINE_RUN_TOKEN`), and after it with the group id. A runner killed between
 * fork and the second write (a real window on a busy machine: the child can run its first
 * commands before the parent returns from spawn) leaves a pending record, and recovery finds
 * the group by the token in `/proc/<pid>/environ`.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { safeStageId, tmpDir } from './paths.ts';
import { groupAlive, pidAlive, readStat } from './proc.ts';

interface RunningRecord {
  stage: string;
  /** Leader of the stage's process group; absent while the record is pending (before spawn). */
  pgid?: number;
  /** Value of PIPELINE_RUN_TOKEN in the stage's environment. */
  token?: string;
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

/**
 * Records a stage about to be spawned; returns the token to put in its environment as
 * `PIPELINE_RUN_TOKEN`. Synchronous, like {@link recordRunning}.
 */
export function recordPending(root: string, stage: string): string {
  const token = randomUUID();
  const rec: RunningRecord = {
    stage,
    token,
    runnerPid: process.pid,
    ...optional('runnerStartTicks', readStat(process.pid)?.startTicks),
  };
  writeFileSync(recordPath(root, stage), JSON.stringify(rec) + '\n');
  return token;
}

/** Records a just-started stage. Synchronous so that no await separates spawn and record. */
export function recordRunning(root: string, stage: string, pgid: number, token?: string): void {
  const rec: RunningRecord = {
    stage,
    pgid,
    ...(token === undefined ? {} : { token }),
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
    if (rec.pgid === undefined) {
      // Pending: the runner died between writing the record and learning the group id.
      const pgid = rec.token === undefined ? undefined : groupByToken(rec.token);
      if (pgid === undefined) rmSync(file, { force: true });
      else orphans.push({ ...rec, pgid });
      continue;
    }
    // The leader may have exited while its children still run; the group id stays theirs.
    if (groupAlive(rec.pgid) && (rec.startTicks === undefined || !leaderReplaced(rec))) orphans.push(rec);
    else rmSync(file, { force: true });
  }
  if (orphans.length === 0) return [];
  const groups = orphans.map((o) => o.pgid!);
  for (const g of groups) signalGroup(g, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groups.some(groupAlive) && Date.now() < deadline) await sleep(50);
  for (const g of groups) if (groupAlive(g)) signalGroup(g, 'SIGKILL');
  // A SIGKILLed process runs no more user code, but on a starved machine its exit can take
  // seconds to be scheduled; wait for it (bounded) so callers see the group gone.
  while (groups.some(groupAlive) && Date.now() < deadline + 15_000) await sleep(50);
  for (const o of orphans) clearRunning(root, o.stage);
  return orphans.map((o) => o.stage);
}

/** The process group of a live process whose environment holds `PIPELINE_RUN_TOKEN=token`. */
function groupByToken(token: string): number | undefined {
  const needle = `PIPELINE_RUN_TOKEN=${token}\0`;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    if (!environ.includes(needle)) continue;
    const st = readStat(Number(pid));
    if (st !== undefined && st.state !== 'Z') return st.pgrp;
  }
  return undefined;
}

/** Whether the pid now belongs to another process (its start time differs). */
function leaderReplaced(rec: RunningRecord): boolean {
  if (rec.pgid === undefined) return false;
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
