/** Shared bits of the executor tests: temp roots, stages, process checks. */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stage } from '../../../lib/engine/types.ts';

/** Absolute path of the repository (for fixtures and node_modules/.bin/tsx). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(REPO, 'test/fixtures/exec');
export const TSX = join(REPO, 'node_modules/.bin/tsx');

const made: string[] = [];

/** A fresh temp directory, removed by {@link cleanTemps}. */
export async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seqlab-exec-'));
  made.push(dir);
  return dir;
}

export async function cleanTemps(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A minimal resolved stage. */
export function stage(name: string, cmd: string, extra: Partial<Stage> = {}): Stage {
  return {
    name,
    group: name.split('@')[0] ?? name,
    cmd,
    wdir: '',
    deps: [],
    outs: [],
    metrics: [],
    plots: [],
    params: {},
    env: [],
    runtime: [],
    exclusive: false,
    ...extra,
  };
}

/** Whether a pid is a running (not zombie) process. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it is true; false after `ms` (tests then fail on their own assertion). */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(25);
  }
  return check();
}
