/**
 * Synthetic pipelines for the engine benchmark: N stages with K small dep files each, wired as
 * chains that fan in to one final stage, and the equivalent Snakefile for `snakemake -n`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Shape of the synthetic pipeline. */
export interface SyntheticOptions {
  /** Stages, including the final fan-in stage. */
  stages: number;
  /** Small dep files per stage. */
  depsPerStage: number;
  /** Stages per chain; each chain's last stage feeds the fan-in stage. */
  chainLength: number;
}

interface StageShape {
  name: string;
  deps: string[];
  out: string;
}

function shape(o: SyntheticOptions): StageShape[] {
  const list: StageShape[] = [];
  const heads: string[] = [];
  const n = o.stages - 1;
  for (let i = 0; i < n; i++) {
    const deps = Array.from({ length: o.depsPerStage }, (_, j) => `data/s${i}/f${j}.txt`);
    if (i % o.chainLength !== 0) deps.push(`out/s${i - 1}.txt`);
    if (i % o.chainLength === o.chainLength - 1 || i === n - 1) heads.push(`out/s${i}.txt`);
    list.push({ name: `s${i}`, deps, out: `out/s${i}.txt` });
  }
  const own = Array.from({ length: o.depsPerStage }, (_, j) => `data/s${n}/f${j}.txt`);
  list.push({ name: 'fanin', deps: [...own, ...heads], out: 'out/fanin.txt' });
  return list;
}

/** Writes the dep files, `pipeline.yaml` and an equivalent `Snakefile` into `dir`. */
export async function writeSynthetic(dir: string, o: SyntheticOptions): Promise<{ files: number; stages: number }> {
  const stages = shape(o);
  let files = 0;
  for (let i = 0; i < o.stages; i++) {
    await mkdir(join(dir, `data/s${i}`), { recursive: true });
    for (let j = 0; j < o.depsPerStage; j++) {
      await writeFile(join(dir, `data/s${i}/f${j}.txt`), `stage ${i} file ${j}\n`);
      files++;
    }
  }
  await mkdir(join(dir, 'out'), { recursive: true });
  const yaml = ['params:', '  scale: 1', 'stages:'];
  for (const s of stages) {
    yaml.push(`  ${s.name}:`, `    cmd: echo ${s.name} > ${s.out}`, `    params: [scale]`, `    deps:`);
    for (const d of s.deps) yaml.push(`      - ${d}`);
    yaml.push(`    outs: [${s.out}]`);
  }
  await writeFile(join(dir, 'pipeline.yaml'), yaml.join('\n') + '\n');
  const smk = [`rule all:`, `    input: "out/fanin.txt"`, ''];
  for (const s of stages) {
    smk.push(`rule ${s.name}:`, `    input: ${s.deps.map((d) => JSON.stringify(d)).join(', ')}`, `    output: ${JSON.stringify(s.out)}`, `    shell: "echo ${s.name} > {output}"`, '');
  }
  await writeFile(join(dir, 'Snakefile'), smk.join('\n'));
  return { files, stages: stages.length };
}
