/**
 * Engine benchmark (`pnpm bench:engine`): prints a Markdown table, asserts nothing.
 *
 * - no-op `pipeline run` and `pipeline status` on a 500-stage pipeline with 5,000 dep files,
 *   all fresh (median of several runs of the real CLI as a child process);
 * - SHA-256 throughput of the hasher on a 1 GiB file, cold-ish (page cache dropped with
 *   `dd iflag=nocache` where GNU dd allows) and warm;
 * - where `snakemake` is on PATH, `snakemake -n` on the equivalent Snakefile, as a ratio.
 *
 * Env: BENCH_STAGES (500), BENCH_DEPS (10), BENCH_REPS (5), BENCH_HASH_MIB (1024), BENCH_KEEP=1.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashThroughput } from '../lib/engine/store/hasher.ts';
import { writeSynthetic } from './lib/generate.ts';
import { markdownTable, median, medianTiming, timeCommand, type Timing } from './lib/timing.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/pipeline.js');
const env = (k: string, d: number) => Number(process.env[k] ?? d);
const STAGES = env('BENCH_STAGES', 500);
const DEPS = env('BENCH_DEPS', 10);
const REPS = env('BENCH_REPS', 5);
const HASH_MIB = env('BENCH_HASH_MIB', 1024);

const log = (s: string) => process.stderr.write(`${s}\n`);
const fmtS = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const fmtT = (t: Timing) => `${fmtS(t.wallMs)}${t.cpuMs !== undefined ? ` (CPU ${fmtS(t.cpuMs)})` : ''}`;

async function writeBigFile(path: string, mib: number): Promise<void> {
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  const out = createWriteStream(path);
  for (let i = 0; i < mib; i++) {
    chunk[0] = i & 0xff;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

function dropFromPageCache(path: string): boolean {
  const r = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
  return r.status === 0;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'seqlab-bench-'));
  const rows: string[][] = [];
  try {
    log(`generating ${STAGES} stages × ${DEPS} deps in ${dir}`);
    const gen = await writeSynthetic(dir, { stages: STAGES, depsPerStage: DEPS, chainLength: 50 });
    const cliEnv = { ...process.env, NO_COLOR: '1', CI: '1' };
    const cli = (args: string[], reps: number, extraEnv: Record<string, string> = {}) =>
      timeCommand(process.execPath, [CLI, '-C', dir, ...args], reps, { env: { ...cliEnv, ...extraEnv } });

    log('populating (first run executes every stage)…');
    const [populate] = cli(['run', '--reporter', 'lines'], 1);
    log(`  populated in ${fmtS(populate!.wallMs)}`);
    cli(['run'], 1); // settles the stat cache after the outs were written

    const noopT = medianTiming(cli(['run', '--json'], REPS));
    const noop = noopT.wallMs;
    rows.push([`no-op \`pipeline run\`, ${gen.stages} stages, ${gen.files} dep files (median of ${REPS})`, fmtT(noopT), '≤ 0.5 s', noop <= 500 ? '✅' : '❌']);
    const noopTsx = medianTiming(cli(['run', '--json'], Math.min(REPS, 3), { PIPELINE_NO_BUNDLE: '1' }));
    rows.push(['  same, CLI loaded through tsx (no bundle)', fmtT(noopTsx), '—', '']);
    const status = medianTiming(cli(['status', '--json'], REPS));
    rows.push([`\`pipeline status\` (median of ${REPS})`, fmtT(status), '—', '']);
    const version = medianTiming(cli(['--version'], REPS));
    rows.push(['CLI start-up (`pipeline --version`)', fmtT(version), '—', '']);
    const bare = medianTiming(timeCommand(process.execPath, ['-e', '0'], REPS));
    rows.push(['  for scale: `node -e 0`', fmtT(bare), '—', '']);

    const smk = which('snakemake');
    if (smk) {
      log('snakemake -n…');
      const smkReps = Math.min(REPS, 3);
      const t = medianTiming(timeCommand(smk, ['-n', '--cores', '1', '-s', 'Snakefile', '--quiet'], smkReps, { cwd: dir }));
      const ratio = t.wallMs / noop;
      rows.push([`\`snakemake -n\`, same DAG (median of ${smkReps})`, fmtT(t), '—', '']);
      rows.push(['  speed-up of no-op run over `snakemake -n`', `${ratio.toFixed(1)}×`, '≥ 5×', ratio >= 5 ? '✅' : '❌']);
    } else {
      rows.push(['`snakemake -n`', 'not on PATH', '≥ 5×', 'n/a']);
    }

    log(`writing a ${HASH_MIB} MiB file…`);
    const big = join(dir, 'big.bin');
    await writeBigFile(big, HASH_MIB);
    const dropped = dropFromPageCache(big);
    // MiB per CPU-second beside MiB per wall-second: on a shared machine the gap is other load.
    const hashOnce = async () => {
      const c0 = process.cpuUsage();
      const r = await hashThroughput(big);
      const c = process.cpuUsage(c0);
      return { ...r, mibPerCpuS: r.bytes / 1048576 / ((c.user + c.system) / 1e6) };
    };
    const fmtH = (wall: number, cpu: number) => `${wall.toFixed(0)} MiB/s (${cpu.toFixed(0)} MiB per CPU-s)`;
    const cold = await hashOnce();
    const warm = [await hashOnce(), await hashOnce(), await hashOnce()];
    const warmMiB = median(warm.map((w) => w.mibPerS));
    rows.push([`SHA-256 hashing, ${HASH_MIB} MiB, ${dropped ? 'cold-ish (page cache dropped)' : 'first pass'}`, fmtH(cold.mibPerS, cold.mibPerCpuS), '—', '']);
    rows.push([`SHA-256 hashing, ${HASH_MIB} MiB, warm (median of 3)`, fmtH(warmMiB, median(warm.map((w) => w.mibPerCpuS))), '≥ 800 MiB/s', warmMiB >= 800 ? '✅' : '❌']);
    if (which('sha256sum')) {
      const t = medianTiming(timeCommand('sha256sum', [big], 3));
      rows.push(['  for scale: coreutils `sha256sum`, warm (median of 3)', fmtH(HASH_MIB / (t.wallMs / 1000), HASH_MIB / ((t.cpuMs ?? NaN) / 1000)), '—', '']);
    }

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    process.stdout.write(`\nEngine benchmark — ${availableParallelism()} cores (${cpu}), node ${process.version}, load average ${load}\n\n`);
    process.stdout.write(markdownTable(['measure', 'result', 'target', 'met'], rows) + '\n');
  } finally {
    if (process.env['BENCH_KEEP']) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

await main();
