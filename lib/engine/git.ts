/**
 * The little git the engine needs: a file's content at a revision, for `metrics diff` and
 * `params diff`. Runs the `git` binary; no library.
 */
import { execFile } from 'node:child_process';
import type { Result } from './types.ts';
import { ok, err } from './types.ts';

function git(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The content of `relPath` (relative to `root`, which may be a subdirectory of the repository)
 * at revision `rev`; `undefined` when the file did not exist there. The error is one sentence
 * (not a repository, unknown revision).
 */
export async function gitShow(root: string, rev: string, relPath: string): Promise<Result<string | undefined, string>> {
  if (rev.startsWith('-')) return err(`"${rev}" is not a git revision.`);
  const r = await git(root, ['show', `${rev}:./${relPath}`]);
  if (r.code === 0) return ok(r.stdout);
  const msg = r.stderr.trim();
  if (/does not exist in|exists on disk, but not in/.test(msg)) return ok(undefined);
  if (/not a git repository/i.test(msg)) return err(`${root} is not inside a git repository.`);
  if (/invalid object name|unknown revision|bad revision|ambiguous argument/i.test(msg)) return err(`Unknown git revision "${rev}".`);
  return err(`git show ${rev}:${relPath} failed: ${msg.split('\n')[0] ?? ''}`);
}
