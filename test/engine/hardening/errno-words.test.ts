/**
 * `fromErrno`: real file-system failures (provoked on real paths, not constructed by hand) become
 * a `UserError` with the path, the cause in plain words and a fix; anything else stays a bug.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError, asUserError, exitCodeOf, fromErrno } from '../../../lib/engine/errors.ts';
import { UsageError } from '../../../lib/engine/cli/verb.ts';
import { canMountTmpfs, mountTmpfs } from '../../helpers/tmpfs.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqlab-errno-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `fn` rejects with. */
async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('fromErrno', () => {
  it('names the path relative to the base, the cause and a fix, for each environment failure', async () => {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'f'), '');
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    const cases: [() => Promise<unknown>, RegExp, string?][] = [
      // read(2) names no file: the caller passes it.
      [() => readFile(join(dir, 'd')), /^Cannot read d: it is a directory where a file belongs\.$/, join(dir, 'd')],
      [() => writeFile(join(dir, 'x'.repeat(300)), ''), /^Cannot open x{300}: the name is too long for the file system\.$/],
      [() => readFile(join(dir, 'f', 'inner')), /^Cannot open f\/inner: a part of the path is a file where a directory belongs\.$/],
      [() => readFile(join(dir, 'loop-a')), /^Cannot open loop-a: symbolic links on the path point at each other in a loop\.$/],
      [() => readFile(join(dir, 'a\0b')), /^Cannot use a\\0b: the path contains a NUL byte/],
    ];
    for (const [fn, message, path] of cases) {
      const e = fromErrno(await failure(fn), { base: dir, ...(path ? { path } : {}) });
      expect(e).toBeInstanceOf(UserError);
      expect(e!.message).toMatch(message);
      expect(e!.hint).toBeTruthy();
      expect(e!.reason).toBe('environment');
      expect(e!.code).toMatch(/^(E[A-Z]+|ERR_INVALID_ARG_VALUE)$/);
      expect(exitCodeOf(e!)).toBe(1);
    }
  });

  it.skipIf(!canMountTmpfs)('a read-only file system (a real read-only tmpfs)', async () => {
    const ro = mountTmpfs('64k', { readOnly: true })!;
    try {
      const e = fromErrno(await failure(() => mkdir(join(ro.dir, 'sub'))), { base: ro.dir });
      expect(e?.message).toBe('Cannot create the directory sub: the file system is read-only.');
    } finally {
      ro.unmount();
    }
  });

  it('leaves ENOENT and non-errno errors alone (they point at bugs), and keeps UserErrors as they are', async () => {
    expect(fromErrno(await failure(() => readFile(join(dir, 'absent'))))).toBeUndefined();
    expect(asUserError(new TypeError('x is undefined'))).toBeUndefined();
    const usage = new UsageError('Unknown verb "x".');
    expect(asUserError(usage)).toBe(usage);
    expect(exitCodeOf(usage)).toBe(2);
  });
});
