/**
 * A real small tmpfs for tests of a full or read-only disk. Mounting needs root (or
 * CAP_SYS_ADMIN); where it is not allowed `canMountTmpfs` is false and such tests are skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounts a fresh tmpfs (`size` e.g. "1m"); returns its directory and how to unmount it, or undefined when not allowed. */
export function mountTmpfs(size: string, opts: { readOnly?: boolean } = {}): { dir: string; unmount(): void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${opts.readOnly ? 'ro,' : ''}size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmdirSync(dir);
    return undefined;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir]);
      rmdirSync(dir);
    },
  };
}

/** Whether this process may mount a tmpfs (probed once, with a mount that is undone at once). */
export const canMountTmpfs: boolean = ((m) => (m ? (m.unmount(), true) : false))(mountTmpfs('64k'));
