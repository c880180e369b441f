import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Loads the kernels in a fresh process with its own cache folder and multiplies 2×2 matrices. */
function runChild(cache: string): string {
  const script = [
    "import { kernelArena } from './lib/ml/wasm/kernels.ts';",
    'const A = kernelArena(); A.reset();',
    'const a = A.put([1, 2, 3, 4]); const b = A.put([5, 6, 7, 8]); const c = A.alloc(4);',
    'A.k.gemm(a, 2, 1, b, 2, c, 2, 2, 2, 2, 0);',
    "console.log(Array.from(A.get(c, 4)).join(','));",
  ].join('\n');
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root, env: { ...process.env, SEQLAB_WASM_CACHE: cache }, encoding: 'utf8',
  }).trim();
}

describe('compiled kernel cache', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await mkdtemp(path.join(os.tmpdir(), 'seqlab-wasm-cache-'));
  });
  afterAll(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it('compiles once into the cache, reuses it, and rebuilds a corrupted binary', async () => {
    expect(runChild(cache)).toBe('19,22,43,50');
    const files = (await readdir(cache)).filter((f) => f.endsWith('.wasm'));
    expect(files).toHaveLength(1);
    const file = path.join(cache, files[0]!);
    const good = await readFile(file);
    expect(runChild(cache)).toBe('19,22,43,50');
    await writeFile(file, good.subarray(0, Math.floor(good.length / 2)));
    expect(runChild(cache)).toBe('19,22,43,50');
    expect((await readFile(file)).equals(good)).toBe(true);
    expect((await readdir(cache)).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 60_000);
});
