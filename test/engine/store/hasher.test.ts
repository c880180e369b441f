import { createHash } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Hasher, hasherStats, hashPath, normRel } from '../../../lib/engine/store/hasher.ts';
import { RACY_MS, settle, tempRoot, writeFiles } from './helpers.ts';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function fresh(root: string): Promise<Hasher> {
  const h = new Hasher({ root, racyWindowMs: RACY_MS });
  await h.load();
  return h;
}

describe('Hasher', () => {
  it('hashes a file to the SHA-256 of its bytes, and reports missing paths as undefined', async () => {
    const root = await tempRoot({ 'a.txt': 'hello' });
    const h = await fresh(root);
    expect(await h.hashFile('a.txt')).toBe(sha('hello'));
    expect(await h.info('./a.txt')).toEqual({ kind: 'file', digest: sha('hello'), size: 5, files: 1, executable: false });
    expect(await h.info('nope')).toBeUndefined();
    expect(await h.info('a.txt/below')).toBeUndefined();
    await expect(h.hashFile('nope')).rejects.toThrow(/ENOENT/);
  });

  it('hashes large files in chunks to the same digest', async () => {
    const root = await tempRoot();
    const big = Buffer.alloc(9 * 1024 * 1024 + 17, 7);
    big[5_000_000] = 1;
    await writeFile(join(root, 'big.bin'), big);
    const expected = createHash('sha256').update(big).digest('hex');
    expect((await hashPath(join(root, 'big.bin'))).digest).toBe(expected);
    expect((await hashPath(join(root, 'big.bin'), 10)).digest).toBe(expected);
  });

  it('never rereads unchanged files in a second instance (persistent stat cache)', async () => {
    const root = await tempRoot({ 'a.txt': 'A', 'd/b.txt': 'B', 'd/e/c.txt': 'C' });
    await settle();
    const h1 = await fresh(root);
    const before = await h1.info('d');
    await h1.hashFile('a.txt');
    await h1.save();
    hasherStats.filesRead = 0;
    const h2 = await fresh(root);
    expect(await h2.info('d')).toEqual(before);
    expect(await h2.hashFile('a.txt')).toBe(sha('A'));
    expect(hasherStats.filesRead).toBe(0);
  });

  it('does not trust a digest taken within the racy window of a change', async () => {
    const root = await tempRoot({ 'a.txt': 'A' });
    const h1 = new Hasher({ root, racyWindowMs: 60_000 });
    await h1.hashFile('a.txt');
    await h1.save();
    hasherStats.filesRead = 0;
    const h2 = await fresh(root);
    await h2.hashFile('a.txt');
    expect(hasherStats.filesRead).toBe(1);
  });

  it('detects a same-size modification even with the mtime put back', async () => {
    const root = await tempRoot({ 'a.txt': 'aaaa' });
    await settle();
    const h1 = await fresh(root);
    expect(await h1.hashFile('a.txt')).toBe(sha('aaaa'));
    await h1.save();
    const st = await stat(join(root, 'a.txt'));
    await writeFile(join(root, 'a.txt'), 'bbbb');
    await utimes(join(root, 'a.txt'), st.atime, st.mtime);
    const h2 = await fresh(root);
    expect(await h2.hashFile('a.txt')).toBe(sha('bbbb'));
  });

  it('hashes each path once per invocation, even under concurrent calls', async () => {
    const root = await tempRoot({ 'd/a': '1', 'd/b': '2', 'd/s/c': '3' });
    const h = await fresh(root);
    hasherStats.filesRead = 0;
    await Promise.all([h.info('d'), h.info('d/a'), h.info('d/s'), h.hashFile('d/a'), h.info('d/s/c'), h.info('d')]);
    expect(hasherStats.filesRead).toBe(3);
  });

  it('changes a directory digest on add, remove, rename and chmod +x, and only then', async () => {
    const root = await tempRoot({ 'd/a': '1', 'd/s/b': '2' });
    const digest = async (): Promise<string> => (await (await fresh(root)).hashFile('d'));
    const d0 = await digest();
    expect(await digest()).toBe(d0);
    await writeFiles(root, { 'd/new': 'x' });
    const d1 = await digest();
    expect(d1).not.toBe(d0);
    await rm(join(root, 'd/new'));
    expect(await digest()).toBe(d0);
    await rename(join(root, 'd/s/b'), join(root, 'd/s/b2'));
    const d2 = await digest();
    expect(d2).not.toBe(d0);
    await rename(join(root, 'd/s/b2'), join(root, 'd/s/b'));
    expect(await digest()).toBe(d0);
    await chmod(join(root, 'd/a'), 0o755);
    const d3 = await digest();
    expect(d3).not.toBe(d0);
    expect(new Set([d0, d1, d2, d3]).size).toBe(4);
    await chmod(join(root, 'd/a'), 0o644);
    expect(await digest()).toBe(d0);
  });

  it('keeps its memo until invalidate, which also drops the directories above', async () => {
    const root = await tempRoot({ 'd/s/a': '1' });
    const h = await fresh(root);
    const d0 = await h.hashFile('d');
    await writeFiles(root, { 'd/s/a': '2' });
    expect(await h.hashFile('d')).toBe(d0);
    h.invalidate('d/s/a');
    expect(await h.hashFile('d/s/a')).toBe(sha('2'));
    expect(await h.hashFile('d')).not.toBe(d0);
  });

  it('ignores a corrupt stat cache', async () => {
    const root = await tempRoot({ 'a.txt': 'A', '.pipeline/state/stat-cache.json': '{"format":1,"rows":{"a.txt":[1,2', '.pipeline/state/imports.json': 'null' });
    const h = await fresh(root);
    expect(await h.hashFile('a.txt')).toBe(sha('A'));
    await h.save();
  });

  it('normalises paths', () => {
    expect(normRel('./a/b/')).toBe('a/b');
    expect(normRel('.')).toBe('');
    expect(normRel('a//b/../c')).toBe('a/c');
  });

  it('takes the fast path only for paths that are already normal', () => {
    // The slow path is the reference: normRel must agree with it on every shape.
    const slow = (p: string) => {
      const n = posix.normalize(p.replaceAll('\\', '/'));
      return n === '.' || n === './' ? '' : n.replace(/^\.\//, '').replace(/\/+$/, '');
    };
    const cases = ['a', 'a/b.txt', 'a/..b', 'a/b..', '.a/b', 'a/.b', '..a', 'a/./b', './a', 'a/', 'a//b', 'a/../b', '..', '../a', 'a\\b', '', '.', 'a/b/.', 'a/b/..', '/abs/x'];
    for (const c of cases) expect(normRel(c), c).toBe(slow(c));
  });

  it('answers peek synchronously from the stat cache, and only then', async () => {
    const root = await tempRoot({ 'a.txt': 'A', 'b.txt': 'B' });
    await settle();
    const h1 = await fresh(root);
    await h1.hashFile('a.txt');
    await h1.save();
    const h2 = await fresh(root);
    expect(h2.peek('a.txt')).toEqual({ kind: 'file', digest: sha('A'), size: 1, files: 1, executable: false });
    expect(h2.peek('missing.txt')).toBeUndefined();
    // Not in the stat cache: the read is started, and `info` picks it up.
    hasherStats.filesRead = 0;
    expect(h2.peek('b.txt')).toBeNull();
    expect(await h2.info('b.txt')).toMatchObject({ digest: sha('B') });
    expect(h2.peek('b.txt')).toMatchObject({ digest: sha('B') });
    expect(hasherStats.filesRead).toBe(1);
  });

  it('tells existence from one stat, which info then reuses; invalidate forgets it', async () => {
    const root = await tempRoot({ 'a.txt': 'A', 'd/b': 'B' });
    const h = await fresh(root);
    expect(h.exists('a.txt')).toBe(true);
    expect(h.exists('d')).toBe(true);
    expect(h.exists('nope')).toBe(false);
    await writeFiles(root, { nope: 'N' });
    // Still the answer of the first stat, for info too: one invocation sees one state.
    expect(h.exists('nope')).toBe(false);
    expect(await h.info('nope')).toBeUndefined();
    h.invalidate('nope');
    expect(h.exists('nope')).toBe(true);
    expect(await h.hashFile('nope')).toBe(sha('N'));
    expect(await h.hashFile('a.txt')).toBe(sha('A'));
  });

  it('does not let a read that an invalidate overtook settle its stale result', async () => {
    const root = await tempRoot({ 'a.txt': 'old' });
    const h = await fresh(root);
    const pending = h.info('a.txt');
    h.invalidate('a.txt');
    await writeFiles(root, { 'a.txt': 'new' });
    await pending;
    expect(await h.hashFile('a.txt')).toBe(sha('new'));
  });

  it('persists rows in the numeric format and reads them back without rereading', async () => {
    const root = await tempRoot({ 'a.txt': 'A' });
    await settle();
    const h1 = await fresh(root);
    await h1.hashFile('a.txt');
    await h1.save();
    const saved = JSON.parse(await readFile(join(root, '.pipeline/state/stat-cache.json'), 'utf8')) as { format: number; rows: Record<string, unknown[]> };
    expect(saved.format).toBe(2);
    const row = saved.rows['a.txt']!;
    const st = await stat(join(root, 'a.txt'));
    expect(row).toEqual([st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs, sha('A')]);
    // A row of another shape is ignored (the file is read again), not trusted.
    await writeFile(join(root, '.pipeline/state/stat-cache.json'), JSON.stringify({ format: 2, rows: { 'a.txt': [String(st.dev), st.ino, st.size, st.mtimeMs, st.ctimeMs, sha('X')] } }));
    hasherStats.filesRead = 0;
    expect(await (await fresh(root)).hashFile('a.txt')).toBe(sha('A'));
    expect(hasherStats.filesRead).toBe(1);
  });
});
