/**
 * Code deps: the `.ts`/`.js` files a stage's command names, plus everything they reach
 * through relative static imports and `new URL('./asset', import.meta.url)` references, so
 * editing an imported module (or a kernel source a module reads) reruns exactly its users.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { type Hasher, normRel } from './hasher.ts';
import { scanImports } from './import-scan.ts';

/** Debug counter of files actually parsed (cache misses), for tests. */
export const importStats = { parsed: 0 };

/** Extensions that make a word of `cmd` an entry file. */
const ENTRY_EXT = /\.(?:ts|mts|cts|tsx|js|mjs|cjs)$/;
/** True for every command in which `entryFiles` could find a word matching `ENTRY_EXT`. */
const MAY_NAME_CODE = /\.(?:[mc]?[tj]s|tsx)/;
/** Extensions whose files are scanned for imports. */
const CODE_EXT = /\.(?:ts|mts|cts|tsx|js|jsx|mjs|cjs)$/;
/** Extensionless specifiers try these, in TypeScript's order. */
const TRY_EXT = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** A `.js`-family specifier may name the TypeScript source it is compiled from. */
const JS_TO_TS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.js'],
  '.jsx': ['.tsx', '.jsx'],
  '.mjs': ['.mts', '.mjs'],
  '.cjs': ['.cts', '.cjs'],
};

/**
 * Root-relative, sorted paths of the code files named in `cmd` (resolved against `wdir`)
 * and of every in-repo module they import, transitively, with the asset files they reference
 * through `new URL(…, import.meta.url)` (hashed; scanned in turn only when they are code, such
 * as an AssemblyScript `.as.ts`). Bare specifiers (packages) and anything under node_modules
 * are not followed; `import type` is ignored.
 */
export async function findCodeDeps(root: string, cmd: string, wdir: string, hasher: Hasher): Promise<string[]> {
  // Most commands name no code file at all (a superset test of what `entryFiles` looks for).
  if (!MAY_NAME_CODE.test(cmd)) return [];
  const memo = graphMemo(root, hasher);
  const seen = new Set<string>();
  let frontier = await entryFiles(root, cmd, wdir, memo.isFile);
  while (frontier.length > 0) {
    for (const f of frontier) seen.add(f);
    const next = await Promise.all(frontier.map((file) => memo.importsOf(file)));
    frontier = [...new Set(next.flat())].filter((f) => !seen.has(f));
  }
  return [...seen].sort();
}

/** Per-hasher memo of the import graph: stages sharing modules resolve each edge once. */
interface GraphMemo {
  generation: number;
  isFile: (rel: string) => Promise<boolean>;
  /** Resolved root-relative direct imports of a file. */
  importsOf: (file: string) => Promise<string[]>;
}
const graphs = new WeakMap<Hasher, GraphMemo>();

function graphMemo(root: string, hasher: Hasher): GraphMemo {
  const known = graphs.get(hasher);
  // An invalidate may mean a stage rewrote a module: start the graph afresh.
  if (known?.generation === hasher.generation) return known;
  const isFile = fileChecker(root);
  const edges = new Map<string, Promise<string[]>>();
  const memo: GraphMemo = {
    generation: hasher.generation,
    isFile,
    importsOf: (file) => {
      let p = edges.get(file);
      if (!p) {
        p = (async () => {
          const found: string[] = [];
          for (const spec of await importsOf(root, file, hasher)) {
            const r = await resolveSpecifier(posix.dirname(file), spec, isFile);
            if (r !== undefined) found.push(r);
          }
          return found;
        })();
        edges.set(file, p);
      }
      return p;
    },
  };
  graphs.set(hasher, memo);
  return memo;
}

/**
 * Resolves a relative specifier imported from directory `fromDir` (root-relative) the way
 * TypeScript does; undefined for bare specifiers, paths leaving the root and missing files.
 * An asset's literal (`./kernels.as.ts`, `./x.wasm`, `../schema/s.json`) resolves to that exact
 * file, tried first; only a `.js`-family name prefers its TypeScript source, as an import would.
 */
export async function resolveSpecifier(fromDir: string, spec: string, isFile: (rel: string) => Promise<boolean>): Promise<string | undefined> {
  if (!(spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../'))) return undefined;
  const target = normRel(posix.join(fromDir, spec.split(/[?#]/)[0] as string));
  if (target === '' || target === '..' || target.startsWith('../') || target.split('/').includes('node_modules')) return undefined;
  const ext = posix.extname(target);
  const mapped = JS_TO_TS[ext];
  const candidates = mapped
    ? mapped.map((e) => target.slice(0, -ext.length) + e)
    : [target, ...TRY_EXT.map((e) => target + e), ...TRY_EXT.map((e) => `${target}/index${e}`)];
  for (const c of candidates) if (await isFile(c)) return c;
  return undefined;
}

async function entryFiles(root: string, cmd: string, wdir: string, isFile: (rel: string) => Promise<boolean>): Promise<string[]> {
  const out: string[] = [];
  for (const word of cmd.split(/[\s;&|<>()'"`=,]+/)) {
    if (!ENTRY_EXT.test(word)) continue;
    let rel: string;
    if (isAbsolute(word)) {
      rel = relative(root, word).split(sep).join('/');
    } else rel = normRel(posix.join(wdir, word));
    if (rel === '' || rel.startsWith('../') || isAbsolute(rel)) continue;
    if (await isFile(rel)) out.push(rel);
  }
  return [...new Set(out)];
}

async function importsOf(root: string, file: string, hasher: Hasher): Promise<string[]> {
  if (!CODE_EXT.test(file)) return [];
  const digest = await hasher.hashFile(file);
  const cached = hasher.getImportSpecs(digest);
  if (cached) return cached;
  importStats.parsed++;
  const specs = scanImports(await readFile(join(root, file), 'utf8'));
  hasher.setImportSpecs(digest, specs);
  return specs;
}

/** A memoised "is this root-relative path a regular file?" for one resolution pass. */
function fileChecker(root: string): (rel: string) => Promise<boolean> {
  const memo = new Map<string, boolean>();
  return async (rel) => {
    let isFile = memo.get(rel);
    if (isFile === undefined) {
      // Synchronous: a resolution probe is a single cheap stat (see Hasher.compute).
      try {
        isFile = statSync(join(root, rel), { throwIfNoEntry: false })?.isFile() ?? false;
      } catch {
        isFile = false;
      }
      memo.set(rel, isFile);
    }
    return isFile;
  };
}
