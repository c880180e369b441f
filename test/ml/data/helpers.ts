import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temp directory, removed after the file's tests. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seqlab-data-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The bytes of a bundle's two files, for byte-identity checks. */
export async function bundleBytes(dir: string): Promise<Buffer> {
  return Buffer.concat([await readFile(join(dir, 'meta.json')), await readFile(join(dir, 'data.bin'))]);
}

/** Checks that splits are disjoint, cover 0…n-1 and are sorted. */
export function expectPartition(split: { train: Int32Array; val: Int32Array; test: Int32Array }, n: number): void {
  const all = [...split.train, ...split.val, ...split.test].sort((a, b) => a - b);
  if (all.length !== n || all.some((v, i) => v !== i)) throw new Error('splits are not a partition of 0..n-1');
  for (const part of [split.train, split.val, split.test]) {
    for (let i = 1; i < part.length; i++) if (part[i - 1]! >= part[i]!) throw new Error('split not sorted');
  }
}

type Typed = Float32Array | Int32Array | Uint8Array;

/** Byte equality of two typed arrays of the same type (vitest's deep equality is slow on big arrays). */
export function sameArray(a: Typed, b: Typed): boolean {
  return (
    a.constructor === b.constructor &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}

export { TINY_G2P } from './tiny-g2p.ts';
