/**
 * On-disk format shared by the generators: `<dir>/meta.json` (small, human-readable: kind, options,
 * shapes, vocabularies) and `<dir>/data.bin` (all numeric arrays back to back, little-endian,
 * each 8-byte aligned). Loading is one read and zero-copy typed-array views; writing the same data
 * twice gives identical bytes (no timestamps, stable key order), so pipeline caching works.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';

/** Element types a bundle can hold. */
export type DType = 'float32' | 'int32' | 'uint8';

/** A typed array of one of the bundle's element types. */
export type NumericArray = Float32Array | Int32Array | Uint8Array;

/** One named array with its shape (product of shape = length). */
export interface ShapedArray<A extends NumericArray = NumericArray> {
  data: A;
  shape: number[];
}

/** Where an array lives in `data.bin`. */
interface ArrayEntry {
  dtype: DType;
  shape: number[];
  /** Byte offset into data.bin. */
  offset: number;
}

/** The JSON header of a bundle. */
export interface BundleHeader<M> {
  format: 'seqlab-data';
  version: 1;
  /** Which generator wrote it (`synthetic-sequences`, `dates`…); checked on read. */
  kind: string;
  /** Generator-specific, JSON-serialisable metadata (options, vocabularies, strings). */
  meta: M;
  arrays: Record<string, ArrayEntry>;
  /** Total size of data.bin, to detect truncation. */
  bytes: number;
}

export const META_FILE = 'meta.json';
export const DATA_FILE = 'data.bin';

function dtypeOf(a: NumericArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

function checkLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('seqlab data bundles are little-endian; this machine is big-endian');
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Writes a bundle into `dir` (created if needed), replacing meta.json and data.bin. */
export async function writeBundle<M>(
  dir: string,
  kind: string,
  meta: M,
  arrays: Record<string, ShapedArray>,
): Promise<void> {
  checkLittleEndian();
  const entries: Record<string, ArrayEntry> = {};
  let offset = 0;
  for (const name of Object.keys(arrays).sort()) {
    const { data, shape } = arrays[name]!;
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`writeBundle: array "${name}" has ${data.length} values but shape [${shape}]`);
    entries[name] = { dtype: dtypeOf(data), shape: [...shape], offset };
    offset = align8(offset + data.byteLength);
  }
  const bin = new Uint8Array(offset);
  for (const [name, entry] of Object.entries(entries)) {
    const { data } = arrays[name]!;
    bin.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), entry.offset);
  }
  const header: BundleHeader<M> = { format: 'seqlab-data', version: 1, kind, meta, arrays: entries, bytes: bin.length };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, DATA_FILE), bin);
  await writeFile(join(dir, META_FILE), `${JSON.stringify(header, null, 1)}\n`);
}

/** A bundle as read back: its metadata and its arrays by name. */
export interface Bundle<M> {
  meta: M;
  arrays: Record<string, ShapedArray>;
}

/** Reads a bundle written by `writeBundle`, checking its kind and size. */
export async function readBundle<M>(dir: string, kind: string): Promise<Bundle<M>> {
  checkLittleEndian();
  const header = JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as BundleHeader<M>;
  if (header.format !== 'seqlab-data' || header.version !== 1) {
    throw new Error(`${join(dir, META_FILE)}: not a seqlab data bundle (version 1)`);
  }
  if (header.kind !== kind) throw new Error(`${dir}: holds "${header.kind}" data, expected "${kind}"`);
  const file = await readFile(join(dir, DATA_FILE));
  if (file.length !== header.bytes) {
    throw new Error(`${join(dir, DATA_FILE)}: ${file.length} bytes, expected ${header.bytes} (truncated or stale)`);
  }
  // typed-array views need aligned offsets; copy only if Node handed us an unaligned slice
  const buffer = file.byteOffset % 8 === 0 ? file.buffer : new Uint8Array(file).buffer;
  const base = file.byteOffset % 8 === 0 ? file.byteOffset : 0;
  const arrays: Record<string, ShapedArray> = {};
  for (const [name, e] of Object.entries(header.arrays)) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    const at = base + e.offset;
    const data =
      e.dtype === 'float32'
        ? new Float32Array(buffer, at, n)
        : e.dtype === 'int32'
          ? new Int32Array(buffer, at, n)
          : new Uint8Array(buffer, at, n);
    arrays[name] = { data, shape: e.shape };
  }
  return { meta: header.meta, arrays };
}

/** Fetches a named array of a given type from a read bundle, or throws a clear error. */
export function getArray<A extends NumericArray>(
  bundle: Bundle<unknown>,
  name: string,
  ctor: abstract new (...args: never[]) => A,
): ShapedArray<A> {
  const a = bundle.arrays[name];
  if (!a || !(a.data instanceof ctor)) throw new Error(`data bundle: missing or mistyped array "${name}"`);
  return a as ShapedArray<A>;
}

/** Split index arrays as bundle entries (`split.train`, `split.val`, `split.test`). */
export function splitArrays(split: { train: Int32Array; val: Int32Array; test: Int32Array }): Record<string, ShapedArray> {
  return {
    'split.train': { data: split.train, shape: [split.train.length] },
    'split.val': { data: split.val, shape: [split.val.length] },
    'split.test': { data: split.test, shape: [split.test.length] },
  };
}

/** The split stored by `splitArrays`. */
export function readSplit(bundle: Bundle<unknown>): { train: Int32Array; val: Int32Array; test: Int32Array } {
  return {
    train: getArray(bundle, 'split.train', Int32Array).data,
    val: getArray(bundle, 'split.val', Int32Array).data,
    test: getArray(bundle, 'split.test', Int32Array).data,
  };
}
