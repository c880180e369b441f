/**
 * The little git the engine needs: a file's content at a revision, for `metrics diff` and
 * `params diff`. Runs the `git` binary; no library.
 */
import { execFile } from 'node:child_process';
import { UserError } from './errors.ts';

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
 * at revision `rev`; `undefined` when the file did not exist there. An unknown revision or a
 * directory outside git is a usage mistake (exit 2); any other git failure is the environment's.
 */
export async function gitShow(root: string, rev: string, relPath: string): Promise<string | undefined> {
  if (rev.startsWith('-')) throw new UserError('usage', `"${rev}" is not a git revision.`);
  const r = await git(root, ['show', `${rev}:./${relPath}`]);
  if (r.code === 0) return r.stdout;
  const msg = r.stderr.trim();
  if (/does not exist in|exists on disk, but not in/.test(msg)) return undefined;
  if (/not a git repository/i.test(msg)) throw new UserError('usage', `${root} is not inside a git repository.`, { hint: 'Revisions need git; `metrics show` works without it.' });
  if (/invalid object name|unknown revision|bad revision|ambiguous argument/i.test(msg)) {
    throw new UserError('usage', `Unknown git revision "${rev}".`, { hint: 'Use a commit, branch or tag that `git log` shows (HEAD, HEAD~1, main…).' });
  }
  throw new UserError('environment', `git show ${rev}:${relPath} failed: ${msg.split('\n')[0] ?? ''}`);
}

/**
 * The commit checked out in `root` (12 hex) and whether tracked files differ from it, for the
 * run log; `undefined` outside git or before the first commit.
 */
export async function gitHead(root: string): Promise<{ commit: string; dirty: boolean } | undefined> {
  const head = await git(root, ['rev-parse', '--short=12', 'HEAD']);
  if (head.code !== 0) return undefined;
  const status = await git(root, ['status', '--porcelain', '--untracked-files=no']);
  return { commit: head.stdout.trim(), dirty: status.code === 0 && status.stdout.trim() !== '' };
}
