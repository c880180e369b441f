/**
 * The Slurm executor: each stage that runs becomes one `sbatch` job. The runner still spawns one
 * local process per stage — a small submitter (SUBMIT below) — so that logs, progress, the abort
 * path and rollback are exactly the local executor's: the submitter submits the job, reports its
 * id through the progress file, polls `squeue` plus the exit-code file the job writes (a job that
 * leaves the queue without one failed: `sacct` or `scontrol` says how), and `scancel`s the job
 * when it is stopped (Ctrl-C). It exits with the job's exit code. The job only runs the command;
 * the runner alone writes the lock and the cache. The root must be on a file system the nodes
 * share (the job writes its outs, log, progress and exit code there).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Resources, Stage } from '../types.ts';
import { pipelineDir, safeStageId } from './paths.ts';

/** Where a stage runs. */
export type ExecutorName = 'local' | 'slurm';

/** The script `sbatch` runs on the node: the stage's command in its wdir, then its exit code, atomically. */
const JOB = `#!/bin/sh
# Written by seqlab's Slurm executor. $1: the exit-code file.
cd "$PIPELINE_SLURM_WDIR" || { printf '1\\n' > "$1.tmp"; mv "$1.tmp" "$1"; exit 1; }
/bin/sh -c "$PIPELINE_SLURM_CMD"
code=$?
printf '%s\\n' "$code" > "$1.tmp" && mv "$1.tmp" "$1"
exit "$code"
`;

/** Submits one job and follows it; see the module comment. Args: exit-code file, job name, sbatch options. */
const SUBMIT = `#!/usr/bin/env bash
exitfile="$1"; name="$2"; shift 2
rm -f "$exitfile" "$exitfile.tmp"
if ! out="$(sbatch --parsable --export=ALL --job-name="$name" --output="$PIPELINE_SLURM_LOG" --open-mode=append --chdir="$PIPELINE_ROOT" "$@" "$PIPELINE_SLURM_JOB" "$exitfile" 2>&1)"; then
  echo "pipeline: sbatch refused the job: $out"
  exit 1
fi
jid="\${out%%;*}"
printf '{"slurmJobId":"%s","message":"Slurm job %s"}\\n' "$jid" "$jid" >> "$PIPELINE_PROGRESS"
gone() {
  local o rc
  o="$(squeue -h -j "$jid" -o %T 2>&1)"; rc=$?
  if [ $rc = 0 ]; then [ -z "$o" ]; return; fi
  # Only "no such job" means gone; a busy controller means ask again.
  case "$o" in *"Invalid job id"*) return 0 ;; *) return 1 ;; esac
}
cancel() {
  trap '' TERM INT
  scancel "$jid" 2>/dev/null
  # The runner waits 3 s before SIGKILL: see the job leave the queue within that.
  for _ in $(seq 1 50); do gone && break; sleep 0.05; done
  exit 143
}
trap cancel TERM INT
while :; do
  if [ -f "$exitfile" ]; then exit "$(cat "$exitfile")"; fi
  if gone; then
    # The exit file may reach this machine's view of a shared file system a little later.
    for _ in $(seq 1 25); do [ -f "$exitfile" ] && exit "$(cat "$exitfile")"; sleep 0.2; done
    state="$(sacct -n -X -P -j "$jid" -o State 2>/dev/null | head -1)"
    [ -n "$state" ] || state="$(scontrol -o show job "$jid" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)"
    echo "pipeline: Slurm job $jid ended as \${state:-an unknown state} without an exit code (cancelled, out of time or memory, or a node failure)."
    exit 1
  fi
  sleep "\${PIPELINE_SLURM_POLL_S:-0.25}" & wait $!
done
`;

/** One run's Slurm state: its id (in job names) and the scripts, written once per run. */
export interface SlurmRun {
  runId: string;
  dir: string;
  submit: string;
  job: string;
  /** Every job id its submitters reported, for the final `scancel` of an interrupted run. */
  jobIds: Set<string>;
}

/**
 * After an interrupted run: `scancel` every job of the run (again: a submitter killed before its
 * own `scancel` leaves its job running) and wait until none is in `squeue` any more — a cancelled
 * job stays COMPLETING for seconds while slurmd stops its processes, and outs must not be written
 * after the runner rolled them back and exited. Gives up after `timeoutMs`; returns the ids still queued.
 */
export async function cancelJobs(ids: Iterable<string>, timeoutMs = 60_000): Promise<string[]> {
  const list = [...ids];
  if (list.length === 0) return [];
  const { execFile } = await import('node:child_process');
  const run = (cmd: string, args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(cmd, args, { encoding: 'utf8' }, (e, stdout) => resolve({ code: e ? 1 : 0, out: stdout }));
    });
  await run('scancel', list);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const q = await run('squeue', ['-h', '-o', '%i', '-j', list.join(',')]);
    const left = q.code === 0 ? q.out.split('\n').map((l) => l.trim()).filter((l) => list.includes(l)) : [];
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Writes the run's scripts under `.pipeline/slurm/<run id>/`. */
export async function prepareSlurmRun(root: string): Promise<SlurmRun> {
  const runId = randomBytes(4).toString('hex');
  const dir = join(pipelineDir(root), 'slurm', runId);
  await mkdir(dir, { recursive: true });
  const submit = join(dir, 'submit.sh');
  const job = join(dir, 'job.sh');
  await writeFile(submit, SUBMIT, { mode: 0o755 });
  await writeFile(job, JOB, { mode: 0o755 });
  return { runId, dir, submit, job, jobIds: new Set() };
}

/**
 * The end of a run: after an interrupt, cancels its jobs (see `cancelJobs`); then removes the
 * run's scripts and exit-code files, unless a job is still queued (it still needs its script's
 * exit file path). Returns the ids still queued.
 */
export async function finishSlurmRun(run: SlurmRun, interrupted: boolean): Promise<string[]> {
  const left = interrupted ? await cancelJobs(run.jobIds) : [];
  if (left.length === 0) await rm(run.dir, { recursive: true, force: true });
  return left;
}

/** `sbatch` options for a stage's `resources`. */
export function sbatchOptions(r: Resources | undefined): string[] {
  if (!r) return [];
  return [
    ...(r.cpus !== undefined ? [`--cpus-per-task=${r.cpus}`] : []),
    ...(r.mem !== undefined ? [`--mem=${r.mem}`] : []),
    ...(r.time !== undefined ? [`--time=${r.time}`] : []),
    ...(r.gpus !== undefined && r.gpus > 0 ? [`--gpus=${r.gpus}`] : []),
    ...(r.partition !== undefined ? [`--partition=${r.partition}`] : []),
  ];
}

/** What the runner spawns instead of the stage's command, and the environment it needs. */
export function slurmInvocation(run: SlurmRun, root: string, stage: Stage, logFile: string): { command: string; env: Record<string, string> } {
  const id = safeStageId(stage.name);
  const args = [run.submit, join(run.dir, `${id}.exit`), `seqlab-${run.runId}-${stage.name}`, ...sbatchOptions(stage.resources)];
  return {
    command: ['bash', ...args].map(shellWord).join(' '),
    env: { PIPELINE_SLURM_CMD: stage.cmd, PIPELINE_SLURM_WDIR: join(root, stage.wdir), PIPELINE_SLURM_LOG: logFile, PIPELINE_SLURM_JOB: run.job },
  };
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
