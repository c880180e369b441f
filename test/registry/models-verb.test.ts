// `pipeline models …` through the CLI's main(), with captured output, on a registry in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { emptyRegistry, loadRegistry, readLog, registerAndPromote, saveRegistry } from '../../lib/registry/index.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'seqlab-models-verb-'));
  const s = emptyRegistry();
  const gate = { metric: 'test_accuracy', direction: 'max', threshold: 0.75 } as const;
  for (const [fp, acc] of [['a', 0.8], ['b', 0.9], ['c', 0.5]] as const) {
    registerAndPromote(s, { name: 'ex1', fingerprint: fp, stage: 'train-ex1', metrics: { test_accuracy: acc }, files: [] }, gate);
  }
  await saveRegistry(root, s);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCli(root, ...argv);

describe('pipeline models', () => {
  it('lists versions with the production mark', async () => {
    const r = await cli('models', 'list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ex1 {2}production → v2 \(ex1, stage train-ex1\): test_accuracy 0.9$/m);
    expect(r.out).toMatch(/^ {2}\* v2 {2}test_accuracy 0.9 passes gate/m);
    expect(r.out).toMatch(/v3 {2}test_accuracy 0.5 fails gate/);
  });

  it('prints the registry as JSON with --json', async () => {
    const r = await cli('models', 'list', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, schema: 1, models: { ex1: { production: 2 } } });
  });

  it('rolls back to the previous version and logs it', async () => {
    const r = await cli('models', 'rollback', 'ex1');
    expect(r.code).toBe(0);
    expect(r.err).toContain('production v2 → v1');
    expect((await loadRegistry(root)).models.ex1?.production).toBe(1);
    expect((await readLog(root)).at(-1)).toMatchObject({ action: 'rollback', from: 2, to: 1, by: 'cli' });
  });

  it('promotes by hand, refusing a failed gate without --force', async () => {
    const refused = await cli('models', 'promote', 'ex1', '3');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/failed its gate.*--force/);
    expect((await loadRegistry(root)).models.ex1?.production).toBe(2);
    const forced = await cli('models', 'promote', 'ex1', 'v3', '--force');
    expect(forced.code).toBe(0);
    expect((await loadRegistry(root)).models.ex1?.production).toBe(3);
  });

  it('reports usage mistakes with exit code 2', async () => {
    expect((await cli('models')).code).toBe(2);
    expect((await cli('models', 'promote', 'ex1', 'x')).code).toBe(2);
    expect((await cli('models', 'rollback')).code).toBe(2);
    expect((await cli('models', 'rollback', 'nope')).code).toBe(1);
  });
});
