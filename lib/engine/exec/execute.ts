/**
 * Runs one stage's command: the shell, its environment, its log, its progress lines, its
 * peak memory, and the killing of its whole process tree when the run is interrupted.
 */
import { closeSync, openSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ProgressEvent, Stage } from '../types.ts';
import { progressDir, safeStageId } from './paths.ts';
import { clearRunning, prepareRunning, recordPending, recordRunning } from './orphans.ts';
import { groupAlive, processTree, readMemory } from './proc.ts';
import { trackStageGroup, untrackStageGroup } from './stage-groups.ts';

/** Options of {@link executeStage}. */
export interface ExecuteOptions {
  /** Absolute pipeline root. */
  root: string;
  stage: Stage;
  /** The stage's declared params: dotted key → value; nested into `PIPELINE_PARAMS`. */
  params: Record<string, unknown>;
  /** Digest of all params, passed on as `PIPELINE_PARAMS_HASH` when given. */
  allParamsHash?: string;
  /** Absolute path of the log; parent dirs are created, the file is truncated. */
  logFile: string;
  /** Aborting kills the stage's process tree (SIGTERM, SIGKILL 3 s later). */
  signal?: AbortSignal;
  /** Called for each complete line the stage writes through `lib/engine/stage.ts`. */
  onProgress?: (e: ProgressEvent) => void;
  /** Extra environment variables (over the inherited ones). */
  env?: Record<string, string>;
  /** What is spawned instead of `stage.cmd` (the Slurm executor's submitter); messages still name `stage.cmd`. */
  command?: string;
}

/** Outcome of one command; failures are values, this never throws for a stage's own fault. */
export interface ExecResult {
  ok: boolean;
  exitCode: number | null;
  /** Signal that ended the command (`SIGTERM`), else null. */
  signal: string | null;
  durationMs: number;
  /** Peak resident memory of the process tree; absent where /proc is not available. */
  peakRssBytes?: number;
  /** Last ~20 lines of the log. */
  logTail: string;
  /** One sentence on failure: `Stage "x" failed with exit code 2: cmd`, or `interrupted`. */
  error?: string;
}

const SAMPLE_MS = 200;
const KILL_GRACE_MS = 3000;
const TAIL_LINES = 20;

/** This package's own `node_modules/.bin` (tsx, vitest…), wherever the CLI is started from. */
const OWN_BIN = fileURLToPath(new URL('../../../node_modules/.bin', import.meta.url));

/**
 * Runs `stage.cmd` through the shell in `root/stage.wdir`, in its own process group so that
 * the whole tree can be signalled. Processes the command leaves behind in its group (`x &`)
 * are stopped when it exits, so that nothing writes the outs after this resolves.
 * Environment: `PIPELINE_STAGE`, `PIPELINE_PARAMS`, `PIPELINE_ITEM`, `PIPELINE_ROOT`,
 * `PIPELINE_PROGRESS`, and PATH prefixed with the project's and seqlab's `node_modules/.bin`.
 * The caller must turn Ctrl-C into `signal`: the stage's own group does not get the terminal's SIGINT.
 */
export async function executeStage(opts: ExecuteOptions): Promise<ExecResult> {
  const { root, stage } = opts;
  const started = performance.now();
  await mkdir(dirname(opts.logFile), { recursive: true });
  await mkdir(progressDir(root), { recursive: true });
  const progressFile = join(progressDir(root), `${safeStageId(stage.name)}.jsonl`);
  await writeFile(progressFile, '');
  await writeFile(opts.logFile, '');
  await prepareRunning(root);

  const result = (r: Omit<ExecResult, 'durationMs' | 'logTail'>, durationMs: number): Promise<ExecResult> =>
    readTail(opts.logFile).then((logTail) => ({ ...r, durationMs, logTail }));

  if (opts.signal?.aborted) {
    await rm(progressFile, { force: true });
    return result({ ok: false, exitCode: null, signal: null, error: 'interrupted' }, 0);
  }

  // Both streams share one descriptor, so the log keeps the order the command wrote in, and
  // a background grandchild holding it open cannot keep us waiting as a pipe would.
  const fd = openSync(opts.logFile, 'a');
  // Recorded before the spawn too (see orphans.ts): a runner killed before spawn returns must
  // not leave a stage nobody can find.
  const token = recordPending(root, stage.name);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(opts, progressFile, fd, token);
  } finally {
    closeSync(fd); // the child has its own copy
  }
  const pid = child.pid;
  // Recorded so that the next run can stop this group if we get SIGKILLed (see orphans.ts).
  if (pid !== undefined) {
    recordRunning(root, stage.name, pid, token);
    trackStageGroup(pid);
  } else clearRunning(root, stage.name);

  const progress = new ProgressReader(progressFile, opts.onProgress);
  const memory = new MemorySampler(pid);
  const timer = setInterval(() => {
    memory.sample();
    void progress.poll();
  }, SAMPLE_MS);
  // Extra early samples: a short command would otherwise be seen only as its shell.
  const early = [20, 60, 120].map((ms) => setTimeout(() => memory.sample(), ms));
  memory.sample();

  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stopGroup = (): void => {
    if (pid === undefined || killTimer !== undefined) return;
    signalGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
  };
  const onAbort = (): void => {
    aborted = true;
    stopGroup();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const r = await child;
  const durationMs = Math.round(performance.now() - started);
  opts.signal?.removeEventListener('abort', onAbort);
  if (pid !== undefined && groupAlive(pid)) {
    stopGroup();
    await waitGroupGone(pid);
  }
  if (pid !== undefined) {
    untrackStageGroup(pid);
    clearRunning(root, stage.name);
  }
  clearInterval(timer);
  early.forEach(clearTimeout);
  clearTimeout(killTimer);
  await progress.poll(true);
  await rm(progressFile, { force: true });

  const peakRssBytes = memory.peak();
  const exitCode = r.exitCode ?? null;
  const signal = r.signal ?? null;
  const base = { exitCode, signal, ...(peakRssBytes === undefined ? {} : { peakRssBytes }) };
  if (aborted) return result({ ...base, ok: false, error: 'interrupted' }, durationMs);
  if (pid === undefined || (exitCode === null && signal === null)) {
    // The shell itself could not start (bad wdir, no /bin/sh): say why in the log too.
    // execa's message: "Command failed with ENOENT: cmd\n<the cause>\n…"
    const lines = (r.shortMessage ?? '').split('\n');
    const why = lines[1] ?? lines[0] ?? 'unknown error';
    await writeFile(opts.logFile, `pipeline: could not start the command: ${why}\n`, { flag: 'a' });
    return result({ ...base, ok: false, error: `Stage "${stage.name}" could not start: ${why}` }, durationMs);
  }
  if (exitCode === 0) return result({ ...base, ok: true }, durationMs);
  const error =
    exitCode !== null
      ? `Stage "${stage.name}" failed with exit code ${exitCode}: ${stage.cmd}`
      : `Stage "${stage.name}" was killed by ${signal}: ${stage.cmd}`;
  return result({ ...base, ok: false, error }, durationMs);
}

function spawn(opts: ExecuteOptions, progressFile: string, fd: number, token: string) {
  const { root, stage } = opts;
  const path = [join(root, 'node_modules', '.bin'), OWN_BIN]
    .filter((d, i, all) => all.indexOf(d) === i)
    .concat(opts.env?.PATH ?? process.env.PATH ?? [])
    .join(delimiter);
  const env: Record<string, string> = {
    ...opts.env,
    PIPELINE_STAGE: stage.name,
    PIPELINE_PARAMS: JSON.stringify(nestParams(opts.params)),
    PIPELINE_ITEM: JSON.stringify(stage.matrixItem ?? {}),
    PIPELINE_ROOT: root,
    PIPELINE_PROGRESS: progressFile,
    PIPELINE_RUN_TOKEN: token,
    PATH: path,
  };
  if (opts.allParamsHash !== undefined) env.PIPELINE_PARAMS_HASH = opts.allParamsHash;
  // execa's types admit only 1 and 2 as descriptor numbers, but at run time it hands any
  // descriptor to child_process.spawn unchanged, which is what we want.
  const logFd = fd as 1;
  return execa(opts.command ?? stage.cmd, {
    shell: true,
    cwd: join(root, stage.wdir),
    env,
    extendEnv: true,
    detached: true,
    stdin: 'ignore',
    stdout: logFd,
    stderr: logFd,
    reject: false,
  });
}

/**
 * Nests dotted param keys: `{'ex2.units': 128, seed: 1}` → `{ex2: {units: 128}, seed: 1}`.
 * A group and one of its members may both be declared; the member's value wins.
 */
export function nestParams(dotted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(dotted).sort((a, b) => a.split('.').length - b.split('.').length);
  for (const key of keys) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = structuredClone(dotted[key]);
  }
  return out;
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Waits until no live process is left in the group (the SIGKILL timer guarantees an end). */
async function waitGroupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + KILL_GRACE_MS + 2000;
  while (groupAlive(pgid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Peak memory of a process tree: max of summed VmRSS over samples, at least any VmHWM seen. */
class MemorySampler {
  #max = 0;
  #seen = false;
  constructor(private readonly pid: number | undefined) {}

  sample(): void {
    if (this.pid === undefined) return;
    let sum = 0;
    for (const p of processTree(this.pid)) {
      const m = readMemory(p);
      if (m === undefined) continue;
      this.#seen = true;
      sum += m.rss;
      this.#max = Math.max(this.#max, m.hwm);
    }
    this.#max = Math.max(this.#max, sum);
  }

  peak(): number | undefined {
    return this.#seen ? this.#max : undefined;
  }
}

/** Follows the stage's progress JSONL file and reports each new complete line once. */
class ProgressReader {
  #offset = 0;
  #partial = '';
  // Keeps a multi-byte character cut by a read boundary for the next read.
  #decoder = new StringDecoder('utf8');
  #busy: Promise<void> | undefined;
  constructor(
    private readonly file: string,
    private readonly onProgress: ((e: ProgressEvent) => void) | undefined,
  ) {}

  /** Reads what is new; `final` also waits for a poll in flight, so no line is missed at the end. */
  async poll(final = false): Promise<void> {
    if (this.onProgress === undefined) return;
    if (this.#busy !== undefined) {
      if (!final) return;
      await this.#busy;
    }
    this.#busy = this.#read().finally(() => (this.#busy = undefined));
    await this.#busy;
  }

  async #read(): Promise<void> {
    let fh;
    try {
      fh = await open(this.file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.#offset);
        if (bytesRead === 0) break;
        this.#offset += bytesRead;
        this.#partial += this.#decoder.write(buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    const lines = this.#partial.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      this.onProgress!(parseProgress(line));
    }
  }
}

function parseProgress(line: string): ProgressEvent {
  try {
    const e: unknown = JSON.parse(line);
    if (typeof e === 'object' && e !== null && !Array.isArray(e)) return e as ProgressEvent;
  } catch {
    // A stage that wrote by hand: show the raw text.
  }
  return { message: line };
}

/** The last lines of a log, reading only its end. */
async function readTail(file: string): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 16 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-TAIL_LINES).join('\n');
  } finally {
    await fh.close();
  }
}
