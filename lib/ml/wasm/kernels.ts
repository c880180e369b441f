/**
 * Host side of the WebAssembly kernels (`kernels.as.ts`: fused recurrences, additive attention, GEMM): compiles the
 * AssemblyScript source on first use, caches the binary by content hash, instantiates it
 * synchronously, and hands out buffers in its memory.
 *
 * The binary is never committed: it is built from the source with the `assemblyscript`
 * dependency (a pure-JS compiler, so no toolchain download) into
 * `node_modules/.cache/seqlab-wasm/<sha256>.wasm`, once per source version, in a child process
 * so that loading stays synchronous (tfjs ops are). Concurrent first uses each compile to a
 * private temporary file and rename it into place; the last rename wins with identical bytes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The AssemblyScript source; referenced this way so the pipeline fingerprints it as code. */
const SOURCE = new URL('./kernels.as.ts', import.meta.url);
const ASC_FLAGS = ['-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert'];
/** Bytes of slack after every buffer: vector loops read up to 28 bytes past a row. */
const PAD = 64;
const PAGE = 65536;

/** The part of WebAssembly.Memory used here (the project's `lib` setting has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The synchronous WebAssembly constructors used here. */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernels' exports (pointers are byte offsets into `memory`). */
export interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  gemm(a: number, ars: number, acs: number, b: number, ldb: number, c: number, ldc: number, m: number, k: number, n: number, acc: number): void;
  transpose(src: number, rows: number, cols: number, ld: number, dst: number): void;
  broadcastRows(dst: number, src: number, rows: number, n: number): void;
  colSums(src: number, rows: number, n: number, dst: number): void;
  tanhArray(src: number, dst: number, n: number): void;
  sigmoidArray(src: number, dst: number, n: number): void;
  lstmForward(xp: number, u: number, hs: number, cs: number, gates: number, tanhC: number, out: number, mask: number, b: number, t: number, h: number, flags: number): void;
  lstmBackward(dv: number, hs: number, cs: number, gates: number, tanhC: number, uT: number, mask: number, dG: number, dxp: number, dh: number, dc: number, dU: number, b: number, t: number, h: number, flags: number): void;
  rnnForward(xp: number, u: number, hs: number, acts: number, out: number, mask: number, b: number, t: number, h: number, flags: number): void;
  rnnBackward(dv: number, hs: number, acts: number, uT: number, mask: number, dA: number, dxp: number, dh: number, dU: number, b: number, t: number, h: number, flags: number): void;
  gruForward(xp: number, u: number, hs: number, rhs: number, gates: number, out: number, mask: number, b: number, t: number, h: number, flags: number): void;
  gruBackward(dv: number, hs: number, rhs: number, gates: number, uT: number, mask: number, dG: number, dxp: number, dh: number, dz: number, drh: number, dU: number, b: number, t: number, h: number, flags: number): void;
  additiveScores(q: number, k: number, v: number, out: number, nb: number, tq: number, tk: number, u: number): void;
  additiveScoresBackward(q: number, k: number, v: number, ds: number, dq: number, dk: number, dv: number, nb: number, tq: number, tk: number, u: number): void;
}

/** Flag bits shared with kernels.as.ts. */
export const FLAG = { hard: 1, reverse: 2, carry: 4, byStep: 8 } as const;

/**
 * A bump allocator over the module's memory. The ops are synchronous and never re-enter, so one
 * arena per process is enough: each op `reset`s it (freeing the previous op's scratch), lays out
 * its buffers, runs and copies out. Buffers an op's backward pass needs are taken with `save`
 * before any scratch: they live below the scratch area until a different gradient tape starts
 * (by then every backward pass of the old tape has run), which spares copying them out to JS
 * and back.
 */
export class Arena {
  private top: number;
  private readonly base: number;
  private view_: Float32Array;
  private savedTop: number;
  private savedTape: unknown = undefined;
  private gen = 0;

  constructor(readonly k: KernelExports) {
    this.base = align(k.heapBase());
    this.top = this.base;
    this.savedTop = this.base;
    this.view_ = new Float32Array(k.memory.buffer);
  }

  /** Frees the previous op's scratch buffers (saved ones stay). */
  reset(): void {
    this.top = this.savedTop;
  }

  /**
   * A buffer that outlives `reset` while `tape` (the active gradient tape, an identity) stays
   * the same. Call right after `reset`, before any scratch allocation. A new tape frees every
   * earlier saved buffer and bumps {@link generation}.
   */
  save(floats: number, tape: object): number {
    if (tape !== this.savedTape) {
      this.savedTape = tape;
      this.savedTop = this.base;
      this.top = this.base;
      this.gen++;
    }
    if (this.top !== this.savedTop) throw new Error('Arena.save: saved buffers must be taken before scratch ones');
    const ptr = this.alloc(floats);
    this.savedTop = this.top;
    return ptr;
  }

  /** Changes whenever saved buffers are released; a backward pass checks its op's generation. */
  get generation(): number {
    return this.gen;
  }

  /** A buffer of `floats` float32s (contents undefined); its byte offset. */
  alloc(floats: number): number {
    const ptr = this.top;
    this.top = align(ptr + floats * 4 + PAD);
    const need = this.top - this.k.memory.buffer.byteLength;
    if (need > 0) this.k.memory.grow(Math.ceil(need / PAGE));
    if (this.view_.buffer !== this.k.memory.buffer) this.view_ = new Float32Array(this.k.memory.buffer);
    return ptr;
  }

  /** A buffer holding a copy of `data`. */
  put(data: ArrayLike<number> & { length: number }): number {
    const ptr = this.alloc(data.length);
    this.view_.set(data, ptr >> 2);
    return ptr;
  }

  /** A zero-filled buffer. */
  zeros(floats: number): number {
    const ptr = this.alloc(floats);
    this.view_.fill(0, ptr >> 2, (ptr >> 2) + floats);
    return ptr;
  }

  /** Copies `data` into the buffer at `ptr`. */
  set(ptr: number, data: ArrayLike<number>): void {
    this.view_.set(data, ptr >> 2);
  }

  /** A view (no copy) of `floats` values at `ptr`; valid until the next `alloc`/`put`/`zeros`. */
  view(ptr: number, floats: number): Float32Array {
    return this.view_.subarray(ptr >> 2, (ptr >> 2) + floats);
  }

  /** A copy of `floats` values at `ptr`. */
  get(ptr: number, floats: number): Float32Array {
    return this.view_.slice(ptr >> 2, (ptr >> 2) + floats);
  }
}

let loaded: Arena | undefined;

/** The process's kernel arena, compiling and instantiating the module on first use. */
export function kernelArena(): Arena {
  loaded ??= instantiateKernels();
  return loaded;
}

/**
 * A fresh instance of the kernels over a new arena. A cached binary that does not load (a
 * truncated or corrupted cache file) is deleted and rebuilt once.
 */
export function instantiateKernels(): Arena {
  const imports = { env: { abort: () => { throw new Error('seqlab wasm kernel: abort'); } } };
  const file = compiledKernels();
  let module: object;
  try {
    module = new WA.Module(readFileSync(file));
  } catch {
    rmSync(file, { force: true });
    module = new WA.Module(readFileSync(compiledKernels()));
  }
  return new Arena(new WA.Instance(module, imports).exports as unknown as KernelExports);
}

/** Path of the compiled binary, building it if this source version has none yet. */
export function compiledKernels(): string {
  const sourcePath = fileURLToPath(SOURCE);
  const require = createRequire(import.meta.url);
  let ascDir: string;
  try {
    ascDir = path.dirname(require.resolve('assemblyscript/package.json'));
  } catch {
    throw new Error('seqlab wasm kernels: the assemblyscript package is missing; run `pnpm install`');
  }
  const ascVersion = (JSON.parse(readFileSync(path.join(ascDir, 'package.json'), 'utf8')) as { version: string }).version;
  const digest = createHash('sha256')
    .update(readFileSync(sourcePath))
    .update(`\0${ascVersion}\0${ASC_FLAGS.join(' ')}`)
    .digest('hex');
  const dir = cacheDir();
  const target = path.join(dir, `${digest}.wasm`);
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${digest}.${process.pid}.${Math.random().toString(36).slice(2)}.wasm`);
  try {
    // --enable-source-maps up front: asc's launcher would otherwise re-spawn itself to add it.
    execFileSync(process.execPath, ['--enable-source-maps', path.join(ascDir, 'bin', 'asc.js'), sourcePath, ...ASC_FLAGS, '-o', tmp], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`seqlab wasm kernels: compiling ${sourcePath} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
  return target;
}

/** `SEQLAB_WASM_CACHE`, else node_modules/.cache/seqlab-wasm of the checkout, else a temp folder. */
function cacheDir(): string {
  if (process.env.SEQLAB_WASM_CACHE) return process.env.SEQLAB_WASM_CACHE;
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const nodeModules = path.join(root, 'node_modules');
  return existsSync(nodeModules) ? path.join(nodeModules, '.cache', 'seqlab-wasm') : path.join(os.tmpdir(), 'seqlab-wasm');
}

function align(n: number): number {
  return (n + 15) & ~15;
}
