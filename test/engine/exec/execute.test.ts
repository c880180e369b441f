import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executeStage } from '../../../lib/engine/exec/execute.ts';
import type { ProgressEvent } from '../../../lib/engine/types.ts';
import { FIXTURES, REPO, TSX, alive, cleanTemps, stage, tempRoot, waitFor } from './helpers.ts';

afterEach(cleanTemps);

const PRINT_ENV = `node -e "const e = process.env; console.log(JSON.stringify({
  stage: e.PIPELINE_STAGE, params: e.PIPELINE_PARAMS, item: e.PIPELINE_ITEM, root: e.PIPELINE_ROOT,
  progress: e.PIPELINE_PROGRESS, path: e.PATH, cwd: process.cwd(), extra: e.EXTRA }));
  console.error('to stderr'); process.exit(3)"`;

describe('executeStage', () => {
  it('gives the command its environment, logs both streams and reports the exit code', async () => {
    const root = await tempRoot();
    await mkdir(join(root, 'sub'));
    const logFile = join(root, '.pipeline/logs/ablate@a.log');
    const st = stage('ablate@a', PRINT_ENV, { wdir: 'sub', matrixItem: { variant: 'a' } });
    const res = await executeStage({
      root,
      stage: st,
      params: { 'ex2.units': 128, ex1: { n: 5 }, seed: 42 },
      logFile,
      env: { EXTRA: 'yes' },
    });
    expect(res).toMatchObject({ ok: false, exitCode: 3, signal: null });
    expect(res.error).toBe(`Stage "ablate@a" failed with exit code 3: ${st.cmd}`);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('to stderr');
    expect(res.logTail).toBe(log.trimEnd());
    const env = JSON.parse(log.split('\n')[0]!) as Record<string, string>;
    expect(env.stage).toBe('ablate@a');
    expect(JSON.parse(env.params!)).toEqual({ ex2: { units: 128 }, ex1: { n: 5 }, seed: 42 });
    expect(JSON.parse(env.item!)).toEqual({ variant: 'a' });
    expect(env.root).toBe(root);
    expect(env.cwd).toBe(join(root, 'sub'));
    expect(env.extra).toBe('yes');
    expect(env.progress).toMatch(/\.pipeline\/tmp\/progress\/.+\.jsonl$/);
    const path = env.path!.split(':');
    expect(path[0]).toBe(join(root, 'node_modules/.bin'));
    expect(path[1]).toBe(join(REPO, 'node_modules/.bin'));
  });

  it("finds binaries in the project's and in seqlab's node_modules/.bin", async () => {
    const root = await tempRoot();
    await mkdir(join(root, 'node_modules/.bin'), { recursive: true });
    await writeFile(join(root, 'node_modules/.bin/hello-bin'), '#!/bin/sh\necho hello from the project\n');
    await chmod(join(root, 'node_modules/.bin/hello-bin'), 0o755);
    const logFile = join(root, 'log');
    const res = await executeStage({ root, stage: stage('s', 'hello-bin && command -v tsx'), params: {}, logFile });
    expect(res.ok).toBe(true);
    expect(res.error).toBeUndefined();
    expect(readFileSync(logFile, 'utf8')).toBe(`hello from the project\n${TSX}\n`);
  });

  it('reports a missing binary or working directory as a failure, never a throw', async () => {
    const root = await tempRoot();
    const missing = await executeStage({ root, stage: stage('m', 'no-such-binary-xyz --go'), params: {}, logFile: join(root, 'a.log') });
    expect(missing).toMatchObject({ ok: false, exitCode: 127 });
    expect(missing.error).toBe('Stage "m" failed with exit code 127: no-such-binary-xyz --go');
    expect(missing.logTail).toContain('not found');
    const noDir = await executeStage({ root, stage: stage('w', 'true', { wdir: 'nope' }), params: {}, logFile: join(root, 'b.log') });
    expect(noDir.ok).toBe(false);
    expect(noDir.error).toMatch(/^Stage "w" could not start: .*nope/);
    expect(noDir.logTail).toContain('could not start');
  });

  it('on abort kills the whole process tree, grandchildren included', async () => {
    const root = await tempRoot();
    // A child shell with a grandchild that ignores SIGTERM, plus a background sleep.
    const cmd = `sleep 30 & echo $! >> pids; sh -c 'trap "" TERM; sleep 30 & echo $! >> pids; wait' & wait`;
    const ac = new AbortController();
    const pids = join(root, 'pids');
    const run = executeStage({ root, stage: stage('t', cmd), params: {}, logFile: join(root, 'log'), signal: ac.signal });
    expect(await waitFor(() => existsSync(pids) && readFileSync(pids, 'utf8').trim().split('\n').length === 2)).toBe(true);
    const tree = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(tree.every(alive)).toBe(true);
    ac.abort();
    const res = await run;
    expect(res).toMatchObject({ ok: false, error: 'interrupted' });
    expect(tree.filter(alive)).toEqual([]);
  });

  it('stops what a successful command left running in the background', async () => {
    const root = await tempRoot();
    const res = await executeStage({ root, stage: stage('bg', 'sleep 30 & echo $! > pid'), params: {}, logFile: join(root, 'log') });
    expect(res.ok).toBe(true);
    expect(alive(Number(readFileSync(join(root, 'pid'), 'utf8')))).toBe(false);
  });

  it('returns interrupted without starting when already aborted', async () => {
    const root = await tempRoot();
    const res = await executeStage({
      root,
      stage: stage('x', 'touch ran'),
      params: {},
      logFile: join(root, 'log'),
      signal: AbortSignal.abort(),
    });
    expect(res).toMatchObject({ ok: false, error: 'interrupted', exitCode: null });
    expect(existsSync(join(root, 'ran'))).toBe(false);
  });

  it('delivers progress lines written through lib/engine/stage.ts', async () => {
    const root = await tempRoot();
    const events: ProgressEvent[] = [];
    const logFile = join(root, 'log');
    const res = await executeStage({
      root,
      stage: stage('train@x', `${TSX} ${join(FIXTURES, 'progress-stage.ts')}`, { matrixItem: { v: 'x' } }),
      params: { 'ex1.epochs': 3 },
      logFile,
      onProgress: (e) => events.push(e),
    });
    expect(res.error).toBeUndefined();
    expect(readFileSync(logFile, 'utf8')).toBe('stage train@x item {"v":"x"}\n');
    expect(events.map((e) => e.message?.replace(/ · ETA .*/, ''))).toEqual([
      'epoch 1/3 loss 0.5 acc 0.873',
      'epoch 2/3 loss 0.333 acc 0.873',
      'epoch 3/3 loss 0.25 acc 0.873',
      'saved',
    ]);
    expect(events[0]).toMatchObject({ step: 1, total: 3, values: { loss: 0.5, acc: 0.8734 } });
    expect(events[0]!.message).toMatch(/ · ETA \d+s$/);
    expect(events.every((e) => typeof e.t === 'number')).toBe(true);
  });

  it('measures the peak memory of the process tree', async () => {
    const root = await tempRoot();
    // Filled, so the pages are resident; held for a while so that samples see it.
    const cmd = `node -e "const b = Buffer.alloc(100 * 1024 * 1024, 7); setTimeout(() => console.log(b[5]), 1000)"`;
    const res = await executeStage({ root, stage: stage('mem', cmd), params: {}, logFile: join(root, 'log') });
    expect(res.ok).toBe(true);
    expect(res.peakRssBytes).toBeGreaterThan(100 * 1024 * 1024);
  });
});
