/**
 * Stage transactions: a stage's previous outs stay intact until its new run succeeds.
 *
 * On disk, per stage, `.pipeline/tmp/txn/<safe-stage-id>/`:
 * - `journal.json` — written and fsync'd before anything moves; lists every out, whether it
 *   existed, and the name of its backup. While a journal exists the transaction is open.
 * - `b0`, `b1`, … — the previous outs, moved here by rename (atomic on one file system).
 *
 * Crash safety comes from ordering, so that recovery can always decide from what it sees:
 * - killed before the journal is in place → nothing has moved; the folder is garbage.
 * - killed between two renames of begin → an out that existed but has no backup yet is
 *   still the original at its path, so rollback leaves it alone.
 * - killed while the command runs or during rollback → an out with a backup gets whatever
 *   is at its path deleted and the backup moved back; an out that did not exist is deleted.
 * - killed during commit → the journal is deleted first (one atomic unlink), then the
 *   backups; a folder without journal is garbage.
 * Each step is repeatable, so begin/commit/rollback/recover are all idempotent.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { stopOrphanedStages } from './orphans.ts';
import { safeStageId, txnDir } from './paths.ts';

/** An open stage transaction. Both methods are idempotent; after one of them the other is a no-op. */
export interface Transaction {
  /** Keeps the new outs: deletes the backups and the journal. */
  commit(): Promise<void>;
  /** Discards the new (possibly partial) outs and puts the previous ones back. */
  rollback(): Promise<void>;
}

interface Journal {
  version: 1;
  stage: string;
  createdAt: string;
  pid: number;
  /** `path` is relative to the root; `backup` is a file name inside the transaction folder. */
  outs: { path: string; existed: boolean; backup: string }[];
}

const JOURNAL = 'journal.json';

/**
 * Opens a transaction for a stage about to run: journals, then moves each existing out
 * (file or directory) aside, and creates the missing parent directories of every out so
 * that the command can write. A leftover transaction of the same stage is rolled back first.
 * Throws only on I/O failures (a bug or a broken disk), never for user mistakes.
 */
export async function beginTransaction(root: string, stageName: string, outs: string[]): Promise<Transaction> {
  for (const out of outs) {
    const rel = relative(root, resolve(root, out));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] === '.pipeline') {
      // The config loader rejects such outs; reaching here is a bug, and moving them would be a disaster.
      throw new Error(`beginTransaction: out "${out}" of stage "${stageName}" is not inside the pipeline root`);
    }
  }
  const dir = join(txnDir(root), safeStageId(stageName));
  await recoverDir(root, dir);
  await mkdir(dir, { recursive: true });

  const journal: Journal = {
    version: 1,
    stage: stageName,
    createdAt: new Date().toISOString(),
    pid: process.pid,
    outs: [],
  };
  for (const [i, out] of parentsFirst(outs).entries()) {
    journal.outs.push({ path: out, existed: await exists(join(root, out)), backup: `b${i}` });
  }
  await writeDurable(join(dir, JOURNAL), JSON.stringify(journal, null, 2) + '\n');

  for (const o of journal.outs) {
    const target = join(root, o.path);
    if (o.existed) {
      try {
        await rename(target, join(dir, o.backup));
      } catch (e) {
        // An out nested in another out of the same stage already moved along with its parent.
        if (!isNotFound(e)) throw e;
      }
    }
    await mkdir(dirname(target), { recursive: true });
  }
  fsyncDir(dir);

  let settled = false;
  return {
    async commit() {
      if (settled) return;
      settled = true;
      await rm(join(dir, JOURNAL), { force: true });
      fsyncDir(dir);
      await rm(dir, { recursive: true, force: true });
    },
    async rollback() {
      if (settled) return;
      settled = true;
      await recoverDir(root, dir);
    },
  };
}

/**
 * Rolls back every transaction left open by a runner that died mid-stage (SIGKILL, power
 * loss) and removes leftovers of finished ones. Stage processes that outlived their runner
 * are stopped first (up to 3 s), so that nothing writes an out while it is repaired. Call it
 * while holding the run lock, before looking at any out. Returns the names of the stages
 * whose outs were repaired.
 */
export async function recoverTransactions(root: string): Promise<string[]> {
  await stopOrphanedStages(root);
  let entries: string[];
  try {
    entries = await readdir(txnDir(root));
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  const repaired: string[] = [];
  for (const name of entries.sort()) {
    const stage = await recoverDir(root, join(txnDir(root), name));
    if (stage !== undefined) repaired.push(stage);
  }
  return repaired;
}

/** Rolls back the transaction in `dir` if its journal exists, then removes `dir`. */
async function recoverDir(root: string, dir: string): Promise<string | undefined> {
  let journal: Journal | undefined;
  try {
    journal = JSON.parse(await readFile(join(dir, JOURNAL), 'utf8')) as Journal;
  } catch (e) {
    // No journal: begin died before journaling (nothing moved) or commit died after
    // unlinking it. An unreadable journal cannot happen (it is renamed into place whole).
    if (!isNotFound(e)) throw e;
  }
  if (journal !== undefined) {
    // Parents first: putting a directory back replaces everything under it, so a nested out
    // restored before its parent would be deleted again (journals of older versions are in
    // declared order).
    const byDepth = new Map(journal.outs.map((o) => [o.path, o]));
    for (const o of parentsFirst(journal.outs.map((x) => x.path)).map((p) => byDepth.get(p)!)) {
      const target = join(root, o.path);
      const backup = join(dir, o.backup);
      if (await exists(backup)) {
        await rm(target, { recursive: true, force: true });
        await mkdir(dirname(target), { recursive: true });
        await rename(backup, target);
      } else if (!o.existed) {
        await rm(target, { recursive: true, force: true });
      }
      // existed without backup: begin died before moving it, so the original is in place.
    }
    await unlink(join(dir, JOURNAL)).catch(ignoreNotFound);
    fsyncDir(dir);
  }
  await rm(dir, { recursive: true, force: true });
  return journal?.stage;
}

/**
 * Outs ordered so that a directory comes before the outs nested in it: moving the parent aside
 * takes its children along (their own renames then find nothing), and putting it back first
 * lets each child's own backup, if any, land inside it.
 */
function parentsFirst(outs: readonly string[]): string[] {
  const depth = (p: string) => p.split('/').length;
  return [...outs].sort((a, b) => depth(a) - depth(b));
}

/** Writes a file so that it is either absent or complete and on disk: temp, fsync, rename. */
async function writeDurable(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  fsyncDir(dirname(file));
}

/** Makes renames/unlinks in `dir` durable; a no-op where directories cannot be fsync'd. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms and file systems refuse fsync on a directory; ordering still holds.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

const isNotFound = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
function ignoreNotFound(e: unknown): void {
  if (!isNotFound(e)) throw e;
}
