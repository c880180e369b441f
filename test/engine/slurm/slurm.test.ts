import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, parseRunJson, waitForFile, type Project } from '../../helpers/project.ts';

/**
 * The Slurm executor against a real cluster (scripts/slurm-local.sh start; .ci/run starts one as
 * root). Without a running cluster these tests skip and say why; SEQLAB_REQUIRE_SLURM=1 (CI)
 * turns that into a failure.
 */
function slurmProblem(): string | undefined {
  try {
    execFileSync('sinfo', ['-h'], { stdio: 'pipe', timeout: 10_000 });
    return undefined;
  } catch (e) {
    return `no Slurm cluster answers here (sinfo: ${(e as Error).message.split('\n')[0]}); start one as root with scripts/slurm-local.sh start`;
  }
}
const problem = slurmProblem();
if (problem && process.env.SEQLAB_REQUIRE_SLURM === '1') throw new Error(`SEQLAB_REQUIRE_SLURM=1 but ${problem}`);
if (problem) console.warn(`skipping the Slurm tests: ${problem}`);

/** A stage script: records SLURM_JOB_ID, optionally waits for a partner stage (both must run at once), fails or blocks. */
const STEP = `
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
const [name, out, ...flags] = process.argv.slice(2);
writeFileSync('started-' + name, process.env.SLURM_JOB_ID ?? '');
const partner = flags.find((f) => f.startsWith('--with='))?.slice(7);
if (partner) {
  const until = Date.now() + 60_000;
  while (!existsSync('started-' + partner)) {
    if (Date.now() > until) { console.error('partner ' + partner + ' never started'); process.exit(3); }
    await new Promise((r) => setTimeout(r, 50));
  }
}
mkdirSync('out', { recursive: true });
writeFileSync(out, JSON.stringify({ job: process.env.SLURM_JOB_ID, params: process.env.PIPELINE_PARAMS }) + '\\n');
if (flags.includes('--fail')) process.exit(2);
if (flags.includes('--block')) await new Promise((r) => setTimeout(r, 600_000));
`;

function yaml(o: { aFlags?: string; bFlags?: string; v?: number } = {}): string {
  return `executor: slurm
params:
  v: ${o.v ?? 1}
stages:
  a:
    cmd: node step.js a out/a.json ${o.aFlags ?? '--with=b'}
    params: [v]
    outs: [out/a.json]
    resources: { cpus: 1, mem: 64M, time: "10" }
  b:
    cmd: node step.js b out/b.json ${o.bFlags ?? '--with=a'}
    outs: [out/b.json]
`;
}

function queue(): string[] {
  return execFileSync('squeue', ['-h', '-o', '%i %j'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
}

describe.skipIf(problem !== undefined)('run --executor slurm (a real cluster)', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('runs each stage as its own job: reported job ids are the SLURM_JOB_ID the stages saw; independent stages run concurrently', async () => {
    project = await makeProject({ 'package.json': '{ "type": "module" }\n', 'step.js': STEP, 'pipeline.yaml': yaml() });
    const r = await project.cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const stages = parseRunJson(r.stdout).stages as { name: string; status: string; slurmJobId?: string }[];
    expect(stages.map((s) => s.status)).toEqual(['ran', 'ran']);
    for (const s of stages) {
      expect(s.slurmJobId).toMatch(/^\d+$/);
      expect(JSON.parse(await project.read(`out/${s.name}.json`)).job).toBe(s.slurmJobId);
    }
    // The run's scripts and exit-code files are gone with it.
    expect(await readdir(project.path('.pipeline/slurm'))).toEqual([]);
    // Each waited for the other to have started: they ran as two jobs at once.
    expect(new Set(stages.map((s) => s.slurmJobId)).size).toBe(2);
    // The runner, not the job, recorded them: a second run finds both fresh.
    const again = await project.cli(['run', '--json']);
    expect(parseRunJson(again.stdout).stages.map((s) => s.status)).toEqual(['cached', 'cached']);
  });

  it('a failing job rolls back like a local failure: previous outs back, lock unchanged', async () => {
    project = await makeProject({ 'package.json': '{ "type": "module" }\n', 'step.js': STEP, 'pipeline.yaml': yaml({ aFlags: '', bFlags: '' }) });
    expect((await project.cli(['run'])).code).toBe(0);
    const before = await project.read('out/a.json');
    const lock = await project.read('pipeline.lock');
    await project.write('pipeline.yaml', yaml({ aFlags: '--fail', bFlags: '', v: 2 }));
    const r = await project.cli(['run', '--json']);
    expect(r.code).toBe(1);
    const a = parseRunJson(r.stdout).stages.find((s) => s.name === 'a') as { status: string; error?: string; slurmJobId?: string };
    expect(a.status).toBe('failed');
    expect(a.slurmJobId).toMatch(/^\d+$/);
    expect(a.error).toContain('failed with exit code 2: node step.js a out/a.json --fail');
    expect(await project.read('out/a.json')).toBe(before);
    expect(await project.read('pipeline.lock')).toBe(lock);
  });

  it('Ctrl-C cancels the run\'s jobs: none is left in squeue, outs are rolled back', async () => {
    const tag = randomBytes(3).toString('hex');
    const y = yaml({ aFlags: '--block', bFlags: '--block' }).replaceAll('\n  a:', `\n  a-${tag}:`).replaceAll('\n  b:', `\n  b-${tag}:`);
    project = await makeProject({ 'package.json': '{ "type": "module" }\n', 'step.js': STEP, 'pipeline.yaml': y });
    const running = project.spawnCli(['run', '--json']);
    await waitForFile(project.path('started-a'), 60_000);
    await waitForFile(project.path('started-b'), 60_000);
    expect(queue().filter((l) => l.includes(tag))).toHaveLength(2);
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(r.code).toBe(1);
    expect(queue().filter((l) => l.includes(tag))).toEqual([]);
    expect(project.exists('out/a.json')).toBe(false);
    expect(project.exists('pipeline.lock')).toBe(false);
  });
});
