import { describe, expect, it } from 'vitest';
import { Hasher } from '../../../lib/engine/store/hasher.ts';
import { scanImports } from '../../../lib/engine/store/import-scan.ts';
import { findCodeDeps, importStats } from '../../../lib/engine/store/imports.ts';
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
