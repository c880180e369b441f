import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { beginTransaction, recoverTransactions } from '../../../lib/engine/exec/transaction.ts';
import { FIXTURES, TSX, cleanTemps, tempRoot } from './helpers.ts';

afterEach(cleanTemps);

/** A root with a previous file out and a previous directory out (binary content included). */
async function previousOuts(): Promise<{ root: string; snapshot: () => Record<string, string | null> }> {
  const root = await tempRoot();
  await mkdir(join(root, 'models/ex1/nested'), { recursive: true });
  await mkdir(join(root, 'reports'), { recursive: true });
  await writeFile(join(root, 'models/ex1/weights.bin'), Buffer.from([0, 1, 2, 255, 254]));
  await writeFile(join(root, 'models/ex1/nested/config.json'), '{"units":64}');
  await writeFile(join(root, 'reports/metrics.json'), '{"loss":0.41}\n');
  const files = ['models/ex1/weights.bin', 'models/ex1/nested/config.json', 'reports/metrics.json', 'new/deep/out.txt'];
  const snapshot = () =>
    Object.fromEntries(
      files.map((f) => [f, existsSync(join(root, f)) ? readFileSync(join(root, f)).toString('base64') : null]),
    );
  return { root, snapshot };
}

const OUTS = ['models/ex1', 'reports/metrics.json', 'new/deep/out.txt'];
const txnFolders = (root: string): string[] =>
  existsSync(join(root, '.pipeline/tmp/txn')) ? readdirSync(join(root, '.pipeline/tmp/txn')) : [];

/** The stage writes fresh outputs where the previous ones were. */
async function writeNewOuts(root: string): Promise<void> {
  await mkdir(join(root, 'models/ex1'));
  await writeFile(join(root, 'models/ex1/weights.bin'), 'new weights');
  await writeFile(join(root, 'reports/metrics.json'), '{"loss":0.2}');
  await writeFile(join(root, 'new/deep/out.txt'), 'new');
}

describe('transactions', () => {
  it('moves previous outs aside, makes parent dirs, and commit keeps the new outs', async () => {
    const { root, snapshot } = await previousOuts();
    const txn = await beginTransaction(root, 'train-ex1', OUTS);
    expect(existsSync(join(root, 'models/ex1'))).toBe(false);
    expect(existsSync(join(root, 'reports/metrics.json'))).toBe(false);
    expect(existsSync(join(root, 'new/deep'))).toBe(true);
    await writeNewOuts(root);
    await txn.commit();
    await txn.commit();
    await txn.rollback(); // after commit: no-op
    expect(readFileSync(join(root, 'models/ex1/weights.bin'), 'utf8')).toBe('new weights');
    expect(existsSync(join(root, 'models/ex1/nested'))).toBe(false);
    expect(snapshot()['new/deep/out.txt']).toBe(Buffer.from('new').toString('base64'));
    expect(txnFolders(root)).toEqual([]);
  });

  it('rollback restores previous outs byte for byte and removes partial ones', async () => {
    const { root, snapshot } = await previousOuts();
    const before = snapshot();
    const txn = await beginTransaction(root, 'ablate@no-memory', OUTS);
    await writeNewOuts(root);
    await txn.rollback();
    await txn.rollback();
    expect(snapshot()).toEqual(before);
    expect(before['new/deep/out.txt']).toBeNull();
    expect(txnFolders(root)).toEqual([]);
    expect(await recoverTransactions(root)).toEqual([]);
  });

  it('recovers the outs of a runner SIGKILLed mid-stage', async () => {
    const { root, snapshot } = await previousOuts();
    const before = snapshot();
    const outs = ['reports/metrics.json', 'new/deep/out.txt'];
    const child = spawn(TSX, [join(FIXTURES, 'txn-child.ts'), root, 'train-ex1', ...outs], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true, // tsx runs the script in a child node: kill the whole group
    });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    expect(readFileSync(join(root, 'reports/metrics.json'), 'utf8')).toBe('partial');

    expect(await recoverTransactions(root)).toEqual(['train-ex1']);
    expect(snapshot()).toEqual(before);
    expect(await recoverTransactions(root)).toEqual([]);
  });

  it('recovers a begin killed between two renames without losing the unmoved out', async () => {
    const { root, snapshot } = await previousOuts();
    const before = snapshot();
    await beginTransaction(root, 'train-ex1', OUTS);
    // Rewind to the state right after the first rename: the second out not yet moved.
    const [folder] = txnFolders(root);
    const dir = join(root, '.pipeline/tmp/txn', folder!);
    const journal = JSON.parse(await readFile(join(dir, 'journal.json'), 'utf8')) as {
      outs: { path: string; backup: string }[];
    };
    const second = journal.outs[1]!;
    await rename(join(dir, second.backup), join(root, second.path));

    expect(await recoverTransactions(root)).toEqual(['train-ex1']);
    expect(snapshot()).toEqual(before);
  });

  it('a new begin of the same stage first rolls back its leftover transaction', async () => {
    const { root, snapshot } = await previousOuts();
    const before = snapshot();
    await beginTransaction(root, 'train-ex1', OUTS); // never settled, as if the runner died
    await writeNewOuts(root);
    const txn = await beginTransaction(root, 'train-ex1', OUTS);
    await txn.rollback();
    expect(snapshot()).toEqual(before);
  });

  it('refuses outs outside the root or inside .pipeline before touching anything', async () => {
    const { root, snapshot } = await previousOuts();
    const before = snapshot();
    for (const bad of ['../elsewhere', '.', '.pipeline/cache', '/etc']) {
      await expect(beginTransaction(root, 's', ['reports/metrics.json', bad])).rejects.toThrow(/not inside the pipeline root/);
    }
    expect(snapshot()).toEqual(before);
  });
});
