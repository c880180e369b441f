/**
 * Linux `/proc` readers for the executor and the run lock: process state, process trees,
 * memory. Every function degrades to "unknown" (undefined / empty) where `/proc` is missing
 * (macOS, hardened containers) so that callers never fail because of it.
 *
 * Synchronous on purpose: /proc files are generated in memory and read in microseconds,
 * while a scan of a few hundred of them through the libuv thread pool costs tens of
 * milliseconds on a busy machine.
 */
import { readFileSync as readFile, readdirSync as readdir } from 'node:fs';

/** The fields of `/proc/<pid>/stat` that we use. */
export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z (zombie), T… */
  state: string;
  ppid: number;
  pgrp: number;
  /** Start time in clock ticks since boot: with the pid, a process's identity across pid reuse. */
  startTicks: string;
}

/** Parses `/proc/<pid>/stat`; undefined when the process (or /proc) does not exist. */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses, so split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, ppid, pgrp] = rest;
  const startTicks = rest[19];
  if (state === undefined || ppid === undefined || pgrp === undefined || startTicks === undefined) {
    return undefined;
  }
  return { pid, state, ppid: Number(ppid), pgrp: Number(pgrp), startTicks };
}

/** `/proc/<pid>/cmdline` as argv; undefined when unreadable. */
export function readCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s !== '');
  } catch {
    return undefined;
  }
}

/** Whether `/proc` looks usable on this machine (checked once). */
let procAvailable: boolean | undefined;
export function hasProc(): boolean {
  if (procAvailable === undefined) procAvailable = readStat(process.pid) !== undefined;
  return procAvailable;
}

/** Every process visible in /proc; a full scan, used when per-task `children` files are absent. */
function allStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdir('/proc');
  } catch {
    return [];
  }
  const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const stats = pids.map(readStat);
  return stats.filter((s): s is ProcStat => s !== undefined);
}

/**
 * Pids of the tree rooted at `pid` (itself included). Uses `/proc/<pid>/task/<tid>/children`
 * where the kernel has it (CONFIG_PROC_CHILDREN); otherwise one scan of /proc by parent pid.
 */
export function processTree(pid: number): number[] {
  const viaChildren = treeViaChildrenFiles(pid);
  if (viaChildren !== undefined) return viaChildren;
  const byParent = new Map<number, number[]>();
  for (const s of allStats()) {
    const list = byParent.get(s.ppid) ?? [];
    list.push(s.pid);
    byParent.set(s.ppid, list);
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(byParent.get(p) ?? []));
  }
  return out;
}

let childrenFilesSupported: boolean | undefined;
function treeViaChildrenFiles(root: number): number[] | undefined {
  if (childrenFilesSupported === false) return undefined;
  if (childrenFilesSupported === undefined) {
    try {
      readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
      childrenFilesSupported = true;
    } catch {
      childrenFilesSupported = false;
      return undefined;
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop()!;
    out.push(p);
    let tids: string[];
    try {
      tids = readdir(`/proc/${p}/task`);
    } catch {
      continue; // exited between two reads
    }
    for (const tid of tids) {
      try {
        const kids = (readFile(`/proc/${p}/task/${tid}/children`, 'utf8')).trim();
        if (kids !== '') todo.push(...kids.split(' ').map(Number));
      } catch {
        // thread or process gone meanwhile
      }
    }
  }
  return out;
}

/** Current and peak resident set size of one process, in bytes. */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  let text: string;
  try {
    text = readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m?.[1] === undefined ? 0 : Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/**
 * Whether any non-zombie process of process group `pgid` is alive. Zombies count as gone:
 * orphans re-parented to an init that does not reap them would otherwise look alive forever.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!hasProc()) return true;
  return allStats().some((s) => s.pgrp === pgid && s.state !== 'Z');
}

/** Whether `pid` is a live, non-zombie process. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const st = readStat(pid);
  return st === undefined ? !hasProc() : st.state !== 'Z';
}
