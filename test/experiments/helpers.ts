/** Temp directories for the experiment tests (real files, removed after each test file). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temp dir, removed when the test file ends. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `seqlab-${prefix}-`));
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Parses a JSON file. */
export async function readJson<T = Record<string, unknown>>(file: string): Promise<T> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** The training params pipeline.yaml gives every experiment by default (today's behaviour). */
export const TRAIN_DEFAULTS = { clipNorm: 5, schedule: { kind: 'constant', warmupSteps: 0 }, patience: 0 } as const;
