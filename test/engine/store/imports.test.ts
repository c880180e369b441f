import { describe, expect, it } from 'vitest';
import { Hasher } from '../../../lib/engine/store/hasher.ts';
import { scanImports } from '../../../lib/engine/store/import-scan.ts';
import { findCodeDeps, importStats, resolveSpecifier } from '../../../lib/engine/store/imports.ts';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempRoot, writeFiles } from './helpers.ts';

describe('scanImports', () => {
  it('finds every runtime import form in order', () => {
    const src = [
      `import a from './a.js';`,
      `import { b, type B } from "./b";`,
      `import * as c from './c.ts';`,
      `import d, { e } from './d.js';`,
      `import './side.js';`,
      `export * from './re.js';`,
      `export { x as y } from './re2.js';`,
      `const m = await import('./dyn.js');`,
      `const r = require("./req.cjs");`,
      `import fs = require('./tsreq');`,
    ].join('\n');
    expect(scanImports(src)).toEqual(['./a.js', './b', './c.ts', './d.js', './side.js', './re.js', './re2.js', './dyn.js', './req.cjs', './tsreq']);
  });

  it('skips type-only imports, comments, strings, templates and regexes', () => {
    const src = [
      `import type { T } from './types.js';`,
      `export type { U } from './types2.js';`,
      `// import './commented.js';`,
      `/* import x from './block.js' */`,
      `const s = "import y from './instring.js'";`,
      'const t = `import z from ${"./intemplate.js"}`;',
      `const re = /import q from '.\\/inregex.js'/;`,
      `const div = 4 / 2; import real from './real.js';`,
      `obj.import('./method.js'); x.require('./method2.js');`,
    ].join('\n');
    expect(scanImports(src)).toEqual(['./real.js']);
  });
});

describe('scanImports: new URL(…, import.meta.url) assets', () => {
  it('reports the literal, single or double quoted, across whitespace and newlines, in order with imports', () => {
    const src = [
      `import { a } from './a.js';`,
      `const k = new URL('./kernels.as.ts', import.meta.url);`,
      `const w = new URL(`,
      `  "./x.wasm",`,
      `  import . meta . url,`,
      `);`,
      `import b from './b.js';`,
      `const s = new   URL ( '../../schema/pipeline.schema.json' ,import.meta.url ).href;`,
      `const again = new URL('./kernels.as.ts', import.meta.url);`,
    ].join('\n');
    expect(scanImports(src)).toEqual(['./a.js', './kernels.as.ts', './x.wasm', './b.js', '../../schema/pipeline.schema.json']);
  });

  it('ignores templates, other bases, comments, strings, look-alikes and directory URLs', () => {
    const src = [
      'const t = new URL(`./tmpl.as.ts`, import.meta.url);',
      `const base = new URL('./other.as.ts', 'file:///x/');`,
      `const noBase = new URL('./nobase.as.ts');`,
      `// const c = new URL('./commented.as.ts', import.meta.url);`,
      `/* new URL('./block.as.ts', import.meta.url) */`,
      `const s = "new URL('./instring.as.ts', import.meta.url)";`,
      `const m = x.new URL;`,
      `const r = renew URL('./renew.as.ts', import.meta.url);`,
      `const mine = new MyURL('./myurl.as.ts', import.meta.url);`,
      `const dir = new URL('./', import.meta.url);`,
      `const up = new URL('..', import.meta.url);`,
      `const pkg = new URL('kernels', import.meta.url);`,
    ].join('\n');
    // A bare literal is reported; resolveSpecifier drops it like a package import.
    expect(scanImports(src)).toEqual(['kernels']);
  });
});

describe('resolveSpecifier', () => {
  const isFile = (root: string) => async (rel: string) => statSync(join(root, rel), { throwIfNoEntry: false })?.isFile() ?? false;

  it('resolves asset literals to the exact file; code specifiers keep TypeScript rules', async () => {
    const root = await tempRoot({
      'lib/ml/kernels.as.ts': '',
      'lib/ml/kernels.ts': '',
      'lib/ml/x.wasm': '',
      'lib/ml/x.wasm.ts': '',
      'lib/ml/data.txt': '',
      'lib/ml/m.ts': '',
      'lib/ml/m.js': '',
      'schema/pipeline.schema.json': '',
    });
    const is = isFile(root);
    expect(await resolveSpecifier('lib/ml', './kernels.as.ts', is)).toBe('lib/ml/kernels.as.ts');
    expect(await resolveSpecifier('lib/ml', './kernels.as', is)).toBe('lib/ml/kernels.as.ts');
    expect(await resolveSpecifier('lib/ml', './x.wasm', is)).toBe('lib/ml/x.wasm');
    expect(await resolveSpecifier('lib/ml', './data.txt?raw#top', is)).toBe('lib/ml/data.txt');
    expect(await resolveSpecifier('lib/ml', '../../schema/pipeline.schema.json', is)).toBe('schema/pipeline.schema.json');
    expect(await resolveSpecifier('lib/ml', './m.js', is)).toBe('lib/ml/m.ts');
    expect(await resolveSpecifier('lib/ml', './missing.wasm', is)).toBeUndefined();
    expect(await resolveSpecifier('lib/ml', '../../../outside.json', is)).toBeUndefined();
    expect(await resolveSpecifier('lib/ml', 'kernels', is)).toBeUndefined();
  });
});

describe('findCodeDeps', () => {
  const tree = {
    'stages/train.ts': [
      `import { a } from '../lib/a.js';`,
      `import type { T } from '../lib/types.js';`,
      `import { parse } from 'yaml';`,
      `import '@scope/pkg/x.js';`,
      `export * from '../lib/reexp.ts';`,
      `const m = await import('../lib/dyn.js');`,
      `const r = require('../lib/req.cjs');`,
      `// import '../lib/commented.js';`,
      `import missing from '../lib/missing.js';`,
      `import escape from '../../outside.js';`,
    ].join('\n'),
    'lib/a.ts': `import { b } from './b';\nimport d from './dir';\nexport const a = 1;`,
    'lib/b.ts': `import { a } from './a.ts';\nexport const b = a;`,
    'lib/dir/index.ts': `export default 1;`,
    'lib/types.ts': `export type T = number;`,
    'lib/reexp.ts': `export const z = 1;`,
    'lib/dyn.ts': `export {};`,
    'lib/req.cjs': `module.exports = require('./req-dep.cjs');`,
    'lib/req-dep.cjs': `module.exports = 1;`,
    'lib/commented.ts': ``,
    'node_modules/yaml/index.js': ``,
    'sub/run.mjs': `import './helper.mjs';`,
    'sub/helper.mjs': ``,
  };

  it('follows relative imports with .js→.ts mapping, index files and cycles; skips types and packages', async () => {
    const root = await tempRoot(tree);
    const h = new Hasher({ root });
    const deps = await findCodeDeps(root, 'tsx stages/train.ts --epochs 3 && echo done', '', h);
    expect(deps).toEqual(['lib/a.ts', 'lib/b.ts', 'lib/dir/index.ts', 'lib/dyn.ts', 'lib/reexp.ts', 'lib/req-dep.cjs', 'lib/req.cjs', 'stages/train.ts']);
  });

  it('resolves entry files against wdir and ignores words that are not existing code files', async () => {
    const root = await tempRoot(tree);
    const h = new Hasher({ root });
    expect(await findCodeDeps(root, 'node run.mjs --out=x.js missing.ts', 'sub', h)).toEqual(['sub/helper.mjs', 'sub/run.mjs']);
    expect(await findCodeDeps(root, 'python train.py', '', h)).toEqual([]);
  });

  it('sees a module rewritten during the invocation once the hasher is told', async () => {
    const root = await tempRoot(tree);
    const h = new Hasher({ root });
    expect(await findCodeDeps(root, 'node sub/run.mjs', '', h)).toEqual(['sub/helper.mjs', 'sub/run.mjs']);
    await writeFiles(root, { 'sub/helper.mjs': `import './gen.mjs';`, 'sub/gen.mjs': '' });
    h.invalidate('sub/helper.mjs');
    expect(await findCodeDeps(root, 'node sub/run.mjs', '', h)).toEqual(['sub/gen.mjs', 'sub/helper.mjs', 'sub/run.mjs']);
  });

  it('follows new URL assets: hashes data assets, scans code assets such as .as.ts for their own imports', async () => {
    const root = await tempRoot({
      'stages/train.ts': `import { run } from '../lib/ml/wasm.ts';\n`,
      'lib/ml/wasm.ts': [
        `const src = new URL('./kernels.as.ts', import.meta.url);`,
        `const bin = new URL('./prebuilt.wasm', import.meta.url);`,
        `const schema = new URL('../../schema/pipeline.schema.json', import.meta.url);`,
        `// new URL('./old.as.ts', import.meta.url)`,
        `const dir = new URL('./', import.meta.url);`,
        `export const run = 1;`,
      ].join('\n'),
      'lib/ml/kernels.as.ts': `import { dot } from './math.as';\nexport function mm(): void {}\n`,
      'lib/ml/math.as.ts': `export function dot(): f32 { return 0; }\n`,
      'lib/ml/old.as.ts': ``,
      'lib/ml/index.ts': ``,
      'lib/ml/prebuilt.wasm': `import './not-followed.js';`,
      'lib/ml/not-followed.ts': ``,
      'schema/pipeline.schema.json': `{"note": "import './nor-this.js'"}`,
      'schema/nor-this.ts': ``,
    });
    const h = new Hasher({ root });
    expect(await findCodeDeps(root, 'tsx stages/train.ts', '', h)).toEqual([
      'lib/ml/kernels.as.ts',
      'lib/ml/math.as.ts',
      'lib/ml/prebuilt.wasm',
      'lib/ml/wasm.ts',
      'schema/pipeline.schema.json',
      'stages/train.ts',
    ]);
  });

  it('discards an imports cache written by the scanner that did not know assets', async () => {
    const root = await tempRoot({ 'a.ts': `const k = new URL('./k.as.ts', import.meta.url);\n`, 'k.as.ts': '' });
    const digest = await new Hasher({ root }).hashFile('a.ts');
    await writeFiles(root, { '.pipeline/state/imports.json': JSON.stringify({ format: 1, specs: { [digest]: [] } }) });
    const h = new Hasher({ root });
    await h.load();
    expect(await findCodeDeps(root, 'tsx a.ts', '', h)).toEqual(['a.ts', 'k.as.ts']);
  });

  it('parses each file once: parsed imports are cached by digest across invocations', async () => {
    const root = await tempRoot(tree);
    const h1 = new Hasher({ root });
    await h1.load();
    importStats.parsed = 0;
    const first = await findCodeDeps(root, 'tsx stages/train.ts', '', h1);
    expect(importStats.parsed).toBe(first.length);
    await findCodeDeps(root, 'tsx stages/train.ts', '', h1);
    expect(importStats.parsed).toBe(first.length);
    await h1.save();
    const h2 = new Hasher({ root });
    await h2.load();
    importStats.parsed = 0;
    expect(await findCodeDeps(root, 'tsx stages/train.ts', '', h2)).toEqual(first);
    expect(importStats.parsed).toBe(0);
    await writeFiles(root, { 'lib/dyn.ts': `import './extra.js';` , 'lib/extra.ts': '' });
    const h3 = new Hasher({ root });
    await h3.load();
    expect(await findCodeDeps(root, 'tsx stages/train.ts', '', h3)).toContain('lib/extra.ts');
    expect(importStats.parsed).toBe(2);
  });
});
