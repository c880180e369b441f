#!/usr/bin/env node
// Thin entry. Works from any directory (`node /path/to/bin/pipeline.js -C DIR run`).
//
// Loading the CLI's TypeScript through tsx costs ~0.3 s per start, more than a whole no-op run
// of 500 stages should take. So the CLI runs from an esbuild bundle (esbuild ships with tsx),
// rebuilt whenever one of its source files changed: the staleness check is one stat per source
// file, listed in a manifest written with the bundle. Any trouble building falls back to tsx.
// A rebuild removes the old builds no running CLI uses (bundle-cache.js).
// PIPELINE_NO_BUNDLE=1 forces tsx (for debugging with source maps of the real files).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LEASED_MARK, pruneBuilds, takeLease } from './bundle-cache.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(repo, 'lib/cli/main.ts');
const cacheDir = join(repo, 'node_modules/.cache/seqlab-pipeline');
const manifestPath = join(cacheDir, 'manifest.json');

/** The bundle's path when every source it was built from is unchanged, else undefined. */
function freshBundle() {
  try {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    for (const [file, mtimeMs, size] of m.inputs) {
      const s = statSync(join(repo, file));
      if (s.mtimeMs !== mtimeMs || s.size !== size) return undefined;
    }
    const bundle = join(cacheDir, m.bundle);
    return existsSync(bundle) ? bundle : undefined;
  } catch {
    return undefined;
  }
}

async function build() {
  const requireFromTsx = createRequire(import.meta.resolve('tsx/esm/api'));
  const requireFromRepo = createRequire(join(repo, 'package.json'));
  const esbuild = requireFromTsx('esbuild');
  // Each module keeps its own import.meta.url, so paths computed from it (package.json, the
  // project's node_modules/.bin) resolve as they would unbundled.
  const keepMetaUrl = {
    name: 'keep-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
        return { contents: text, loader: 'ts' };
      });
    },
  };
  // yaml's `node` export is CommonJS, which esbuild cannot hand to a dynamic `import('yaml')`
  // with its named exports; its ESM build is the same code.
  const yamlEsm = {
    name: 'yaml-esm',
    setup(b) {
      const dir = dirname(requireFromRepo.resolve('yaml/package.json'));
      b.onResolve({ filter: /^yaml$/ }, () => ({ path: join(dir, 'browser/index.js') }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // yaml, ajv and picomatch are CommonJS trees of dozens of files: resolving and compiling them
    // one by one at every start cost more than the whole no-op run. Bundled, they are one chunk.
    // execa and listr2 stay external: only a run that executes or renders live loads them.
    external: ['execa', 'listr2'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    // Split at dynamic imports, so that a verb's modules (and the packages they import: execa,
    // listr2) load only when that verb runs.
    splitting: true,
    outdir: join(cacheDir, 'pending'),
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    absWorkingDir: repo,
    logLevel: 'silent',
    plugins: [keepMetaUrl, yamlEsm],
  });
  // This file is an input too: a change to the build options must rebuild.
  const inputs = [...Object.keys(result.metafile.inputs), 'bin/pipeline.js'].map((file) => {
    const s = statSync(join(repo, file));
    return [file, s.mtimeMs, s.size];
  });
  mkdirSync(cacheDir, { recursive: true });
  // A unique directory per build and a renamed manifest make concurrent first runs safe: each
  // reader sees a whole manifest naming a whole bundle.
  const build = `build-${process.pid}-${Date.now()}`;
  const buildDir = join(cacheDir, build);
  mkdirSync(buildDir, { recursive: true });
  for (const f of result.outputFiles) writeFileSync(join(buildDir, basename(f.path)), f.contents);
  writeFileSync(join(buildDir, LEASED_MARK), '');
  // Leased before it is published, so that no other CLI's prune can take it from under us.
  takeLease(buildDir);
  const name = `${build}/${basename(entry, ".ts")}.mjs`; // esbuild names the output after the entry
  const tmp = `${manifestPath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ bundle: name, inputs }));
  renameSync(tmp, manifestPath);
  // Each source change leaves a build behind; drop those no CLI can be running from (see
  // bundle-cache.js for why that takes leases and not only age).
  pruneBuilds(cacheDir, { keep: build });
  return join(cacheDir, name);
}

async function loadCli() {
  if (!process.env.PIPELINE_NO_BUNDLE) {
    let bundle = freshBundle();
    // The lease keeps the build from being pruned while this CLI runs; no lease, no use.
    if (bundle && !takeLease(dirname(bundle))) bundle = undefined;
    if (!bundle) {
      bundle = await build().catch((e) => {
        if (process.env.PIPELINE_DEBUG_BUNDLE) console.error('pipeline: bundling failed, using tsx:', e);
        return undefined;
      });
    }
    if (bundle) {
      try {
        return await import(pathToFileURL(bundle).href);
      } catch (e) {
        // A build pruned between our check and the import fails while linking, before any of
        // its code ran: the sources themselves are still good.
        if (process.env.PIPELINE_DEBUG_BUNDLE) console.error('pipeline: loading the bundle failed, using tsx:', e);
      }
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../lib/cli/main.ts');
}

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
