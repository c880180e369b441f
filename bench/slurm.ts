/**
 * Slurm executor benchmark (`pnpm bench:slurm`): prints a Markdown table, asserts nothing.
 * BENCH_SLURM_STAGES (50) independent trivial stages (each sleeps 0.5 s and records when it started and ended),
 * run cold once with the local executor and once with `--executor slurm` on the cluster that
 * answers `sinfo` (scripts/slurm-local.sh start). Per executor: wall time of the whole run,
 * per-stage overhead (the runner's duration of a stage minus the time its command ran), and the
 * concurrency reached (most commands running at one instant). Env: BENCH_KEEP=1 keeps the projects.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable } from './lib/timing.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/pipeline.js');
const STAGES = Number(process.env.BENCH_SLURM_STAGES ?? 50);

// Half a second of sleep, so that "running at once" is measurable and the cluster's CPUs, not
// the command, bound the concurrency.
const STEP = `import { writeFileSync } from 'node:fs';
const start = Date.now();
await new Promise((r) => setTimeout(r, 500));
writeFileSync(process.argv[2], JSON.stringify({ start, end: Date.now() }) + '\\n');
`;

interface Row { executor: string; wallS: number; overheadMs: number; concurrency: number; ok: boolean }

async function bench(executor: 'local' | 'slurm', jobs: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), `seqlab-bench-${executor}-`));
  await mkdir(join(dir, 'out'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(dir, 'step.js'), STEP);
  const stages = Array.from({ length: STAGES }, (_, i) => `  s${i}:\n    cmd: node step.js out/s${i}.json\n    outs: [out/s${i}.json]\n`).join('');
  await writeFile(join(dir, 'pipeline.yaml'), `stages:\n${stages}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, '-C', dir, 'run', '--json', '-j', String(jobs), '--executor', executor], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallS = (performance.now() - t0) / 1000;
  const doc = JSON.parse(r.stdout) as { ok: boolean; stages: { name: string; durationMs: number }[] };
  const spans = await Promise.all(doc.stages.map(async (s) => JSON.parse(await readFile(join(dir, 'out', `${s.name}.json`), 'utf8')) as { start: number; end: number }));
  const overheadMs = doc.stages.reduce((sum, s, i) => sum + s.durationMs - (spans[i]!.end - spans[i]!.start), 0) / doc.stages.length;
  // Most commands alive at once: sweep over start (+1) and end (−1) instants.
  const events = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let concurrency = 0;
  for (const [, d] of events) concurrency = Math.max(concurrency, (now += d));
  if (process.env.BENCH_KEEP !== '1') await rm(dir, { recursive: true, force: true });
  return { executor, wallS, overheadMs, concurrency, ok: doc.ok };
}

let cluster = '';
try {
  cluster = execFileSync('sinfo', ['-h', '-o', '%D node(s), %c CPUs per node, partition %P'], { encoding: 'utf8' }).trim();
} catch {
  console.error('No Slurm cluster answers sinfo; start one as root: scripts/slurm-local.sh start');
  process.exit(1);
}
const cores = availableParallelism();
const rows = [await bench('local', cores), await bench('slurm', 64)];
console.log(`${STAGES} trivial stages (0.5 s sleep each), cold; this machine: ${cores} cores; cluster: ${cluster}\n`);
console.log(markdownTable(['executor', 'jobs (-j)', 'wall (s)', 'per-stage overhead (ms)', 'concurrency reached', 'ok'], rows.map((r) => [
  r.executor, r.executor === 'local' ? String(cores) : '64', r.wallS.toFixed(2), r.overheadMs.toFixed(0), String(r.concurrency), String(r.ok),
])));
