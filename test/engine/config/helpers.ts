/** Temp-dir projects for config tests: nothing here touches the repository's own pipeline.yaml. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadPipeline } from '../../../lib/engine/config/load.ts';
import { formatDiagnostics } from '../../../lib/engine/diagnostics.ts';
import type { LoadOptions, Pipeline } from '../../../lib/engine/types.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/config');
const made: string[] = [];

/** A fresh temp dir holding `files` (path → content); removed by `cleanup`. */
export async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'seqlab-config-'));
  made.push(root);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
  return root;
}

/** A temp project whose pipeline.yaml is `test/fixtures/config/<name>.yaml`. */
export async function fixture(name: string, files: Record<string, string> = {}): Promise<string> {
  return project({ 'pipeline.yaml': await readFile(path.join(FIXTURES, `${name}.yaml`), 'utf8'), ...files });
}

/** Loads, expecting failure; returns the diagnostics as the CLI prints them without colour. */
export async function errorsOf(root: string, opts: Omit<LoadOptions, 'root'> = {}): Promise<string> {
  const r = await loadPipeline({ root, ...opts });
  if (r.ok) throw new Error(`expected ${root} to fail to load`);
  return formatDiagnostics(r.error, { color: false, cwd: root });
}

/** Loads, expecting success. */
export async function load(root: string, opts: Omit<LoadOptions, 'root'> = {}): Promise<Pipeline> {
  const r = await loadPipeline({ root, ...opts });
  if (!r.ok) throw new Error(formatDiagnostics(r.error, { color: false, cwd: root }));
  return r.value;
}

export async function cleanup(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
