/** Test helpers: real temp directories, small file-tree builders. */
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import type { Stage } from '../../../lib/engine/types.ts';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh temp dir with `files` (path → content) written in it; removed after the test. */
export async function tempRoot(files: Record<string, string> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'seqlab-store-'));
  made.push(root);
  await writeFiles(root, files);
  return root;
}

/** Writes files under root, creating directories. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
  }
}

/** Waits until files just written are older than the hasher's racy window used in tests. */
export const settle = (ms = 60): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Racy window passed to test hashers, shorter than `settle`. */
export const RACY_MS = 20;

/** Every file under `dir` (outside .pipeline) with content and mode, for before/after comparisons. */
export async function snapshot(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (p === '.pipeline') continue;
    if (e.isDirectory()) Object.assign(out, await snapshot(dir, p));
    else out[p] = `${((await stat(join(dir, p))).mode & 0o777).toString(8)}:${await readFile(join(dir, p), 'utf8')}`;
  }
  return out;
}

/** A resolved stage with defaults for everything not given. */
export function makeStage(over: Partial<Stage> = {}): Stage {
  return { name: 's', group: 's', cmd: 'true', wdir: '', deps: [], outs: [], metrics: [], plots: [], params: {}, env: [], runtime: [], exclusive: false, ...over };
}
