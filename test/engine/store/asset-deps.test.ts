/**
 * End to end through the real CLI: a module that reads an asset beside itself with
 * `new URL('./kernels.as.ts', import.meta.url)` makes that asset (and what it imports) a code
 * dep of every stage whose script imports the module.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { baseFiles, makeProject, statuses, type Project } from '../../helpers/project.ts';

const YAML = `stages:
  kern:
    cmd: node scripts/kern.js out/kern.txt
    outs: [out/kern.txt]
  side:
    cmd: node scripts/plain.js side out/side.txt
    outs: [out/side.txt]
`;

/** The stage script: imports the module that loads the kernel source, writes what it read. */
const KERN_SCRIPT = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { kernelSource } from '../lib/wasm.js';
const [out] = process.argv.slice(2);
appendFileSync('counter.txt', 'kern\\n');
mkdirSync('out', { recursive: true });
writeFileSync(out, kernelSource());
`;

/** Reads the AssemblyScript source at runtime, as the ML library's wasm kernels will. */
const WASM_MODULE = `
import { readFileSync } from 'node:fs';
export function kernelSource() {
  return readFileSync(new URL(
    './kernels.as.ts',
    import.meta.url,
  ), 'utf8');
}
`;

describe('code deps: new URL(…, import.meta.url) assets, end to end', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('editing the asset, or a module the asset imports, reruns exactly the stages that reach it', async () => {
    project = await makeProject({
      ...baseFiles(YAML),
      'scripts/kern.js': KERN_SCRIPT,
      'lib/wasm.js': WASM_MODULE,
      'lib/kernels.as.ts': `import { dot } from './math.as';\nexport function mm(): f32 { return dot(); }\n`,
      'lib/math.as.ts': `export function dot(): f32 { return 1; }\n`,
    });
    const first = await project.cli(['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(statuses(first.stdout)).toEqual({ kern: 'ran', side: 'ran' });
    const second = await project.cli(['run', '--json']);
    expect(statuses(second.stdout)).toEqual({ kern: 'cached', side: 'cached' });

    await project.write('lib/kernels.as.ts', `import { dot } from './math.as';\nexport function mm(): f32 { return dot() * 2; }\n`);
    const status = await project.cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const stages = (JSON.parse(status.stdout) as { stages: { name: string; state: string; reasons?: { kind: string; path?: string }[] }[] }).stages;
    expect(stages.find((s) => s.name === 'kern')).toMatchObject({ state: 'changed', reasons: [{ kind: 'code', path: 'lib/kernels.as.ts' }] });
    expect(stages.find((s) => s.name === 'side')?.state).toBe('fresh');
    const edited = await project.cli(['run', '--json']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(statuses(edited.stdout)).toEqual({ kern: 'ran', side: 'cached' });
    expect(await project.read('out/kern.txt')).toContain('dot() * 2');

    await project.write('lib/math.as.ts', `export function dot(): f32 { return 2; }\n`);
    const deeper = await project.cli(['run', '--json']);
    expect(deeper.code, deeper.stderr).toBe(0);
    expect(statuses(deeper.stdout)).toEqual({ kern: 'ran', side: 'cached' });
    // kern ran three times, side once (the first two ran in parallel, in either order).
    expect((await project.counter()).sort()).toEqual(['kern', 'kern', 'kern', 'side']);
  });
});
