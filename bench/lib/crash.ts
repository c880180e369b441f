/**
 * The randomized crash test of the engine (issue 10): SIGKILL a real `node bin/pipeline.js run`
 * at random instants, then run to completion and check that nothing was lost or left behind.
 *
 * The project has file, directory and nested outs (a directory declared after a file inside
 * it), deps, a matrix and a stage that writes a private (0600) and an executable file. Each
 * round picks params (so some stages run, some restore from the run-cache and some stay fresh),
 * kills one or two runs at a random instant, then runs to completion and checks:
 * - the outs are byte-identical (and mode-identical) to an uninterrupted run with those params;
 * - every pipeline.lock entry's outs exist with their recorded digests (hashed afresh);
 * - every cache object's content matches its name;
 * - no temporary litter anywhere: no `.tmp-*` or `*.tmp`, no open transaction, no run lock.
 *
 * Used by `bench/crash-test.ts` (N = 200) and by a small seeded vitest run.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng as seededRng } from '../../lib/ml/random.ts';
import { Hasher } from '../../lib/engine/store/hasher.ts';
import { parseLock } from '../../lib/engine/store/lock-yaml.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pipeline.js');

/**
 * `node scripts/w.mjs KIND OUT [N] [-- IN…]`: writes OUT from the params, its own arguments and
 * the content of IN (files or directories), slowly (several writes with pauses) so that a kill
 * lands mid-write. KIND `file`: one file per OUT argument before `--`; `dir`: OUT with N files
 * and a subdirectory; `nested`: OUT/fig.txt and OUT/m.json; `modes`: OUT/secret (0600) and
 * OUT/tool.sh (0755).
 */
const WRITER = `
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
const argv = process.argv.slice(2);
const cut = argv.indexOf('--');
const [kind, ...outs] = cut < 0 ? argv : argv.slice(0, cut);
const ins = cut < 0 ? [] : argv.slice(cut + 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const h = createHash('sha256').update(process.env.PIPELINE_PARAMS ?? '').update(argv.join(' '));
const walk = (p) => statSync(p).isDirectory() ? readdirSync(p).sort().flatMap((n) => walk(join(p, n))) : [p];
for (const i of ins) for (const f of walk(i)) h.update(f).update(readFileSync(f));
const seed = h.digest('hex');
const body = (tag, kib) => { let s = ''; while (s.length < kib * 1024) s += tag + ' ' + seed + '\\n'; return s; };
const slow = async (file, text, mode) => {
  mkdirSync(dirname(file), { recursive: true });
  const step = Math.ceil(text.length / 4);
  writeFileSync(file, '');
  for (let i = 0; i < text.length; i += step) { appendFileSync(file, text.slice(i, i + step)); await sleep(15); }
  if (mode) chmodSync(file, mode);
};
if (kind === 'file') for (const o of outs) await slow(o, body(o, o.endsWith('.bin') ? 256 : 8));
if (kind === 'dir') {
  const n = Number(outs[1]);
  for (let i = 0; i < n; i++) await slow(join(outs[0], 'f' + i + '.txt'), body('f' + i, 16));
  await slow(join(outs[0], 'sub', 'g.txt'), body('g', 4));
}
if (kind === 'nested') {
  await slow(join(outs[0], 'fig.txt'), body('fig', 32));
  await slow(join(outs[0], 'm.json'), JSON.stringify({ seed }) + '\\n');
}
if (kind === 'modes') {
  await slow(join(outs[0], 'secret'), body('secret', 4), 0o600);
  await slow(join(outs[0], 'tool.sh'), '#!/bin/sh\\necho ' + seed + '\\n', 0o755);
}
`;

const PIPELINE = `params:
  v: 1
  w: 1
stages:
  data:
    cmd: node scripts/w.mjs file data/a.txt data/b.bin
    params: [v]
    outs: [data/a.txt, data/b.bin]
  feat:
    cmd: node scripts/w.mjs dir feat 5 -- data/a.txt
    deps: [data/a.txt]
    outs: [feat]
  report:
    cmd: node scripts/w.mjs nested rep -- feat data/b.bin
    deps: [feat, data/b.bin]
    params: [w]
    metrics: [rep/m.json]
    plots: [rep]
  mx:
    matrix: { k: [1, 2, 3] }
    cmd: node scripts/w.mjs file mx/\${item.k}.txt -- feat
    deps: [feat]
    outs: ['mx/\${item.k}.txt']
  tools:
    cmd: node scripts/w.mjs modes tools -- data/a.txt
    deps: [data/a.txt]
    params: [w]
    outs: [tools]
  final:
    cmd: node scripts/w.mjs file final.txt -- rep/m.json mx tools
    deps: [rep/m.json, mx, tools]
    outs: [final.txt]
`;

/** Files and directories that are the project's sources, not outs. */
const SOURCES = new Set(['package.json', 'scripts', 'pipeline.yaml', 'pipeline.lock', '.pipeline']);

/** Every out file of a project: path → mode and content digest. */
type Snapshot = Map<string, string>;

export interface CrashOptions {
  /** Kills in all (the test stops after this many landed kills). */
  n: number;
  seed: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Keep the temp directories (for debugging). */
  keep?: boolean;
}

export interface CrashResult {
  kills: number;
  rounds: number;
  failures: string[];
  wallMs: number;
  dir: string;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function startRun(dir: string, set: string[], killAfterMs?: number): Promise<Run> {
  const child = spawn(process.execPath, [CLI, '-C', dir, 'run', '-j', '2', ...set.flatMap((s) => ['--set', s])], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      res({ code, signal, stderr });
    });
  });
}

async function makeProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'scripts'), { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(join(dir, 'scripts/w.mjs'), WRITER);
  await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
}

/** Every file under `dir` (relative paths), directories included with a trailing `/`. */
async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(`${p}/`, ...(await walk(dir, p)));
    else out.push(p);
  }
  return out;
}

async function snapshot(dir: string): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  for (const p of await walk(dir)) {
    if (p.endsWith('/') || SOURCES.has(p.split('/')[0] ?? '')) continue;
    const st = await stat(join(dir, p));
    const digest = createHash('sha256').update(await readFile(join(dir, p))).digest('hex');
    // Group and other write bits come from the umask and are not promised to survive a restore.
    snap.set(p, `${(st.mode & 0o755).toString(8)} ${digest}`);
  }
  return snap;
}

function diffSnapshots(want: Snapshot, got: Snapshot): string[] {
  const problems: string[] = [];
  for (const [p, v] of want) if (got.get(p) !== v) problems.push(`${p}: want ${v}, got ${got.get(p) ?? 'nothing'}`);
  for (const p of got.keys()) if (!want.has(p)) problems.push(`${p}: not in the reference run`);
  return problems;
}

/** Lock consistency, object integrity and litter: what must hold after a completed run. */
async function checkState(dir: string): Promise<string[]> {
  const problems: string[] = [];
  const lock = parseLock(await readFile(join(dir, 'pipeline.lock'), 'utf8'));
  if (!lock.ok) problems.push(`pipeline.lock does not parse: ${lock.error.map((d) => d.message).join('; ')}`);
  else {
    // A hasher without its stat cache hashes every byte again.
    const hasher = new Hasher({ root: dir });
    for (const [name, entry] of Object.entries(lock.value.stages)) {
      for (const o of entry.outs) {
        const info = await hasher.info(o.path);
        if (!info) problems.push(`lock: out "${o.path}" of "${name}" is missing`);
        else if (info.digest !== o.digest) problems.push(`lock: out "${o.path}" of "${name}" has digest ${info.digest}, lock says ${o.digest}`);
      }
    }
  }
  const objects = join(dir, '.pipeline/cache/objects');
  for (const p of await walk(objects).catch(() => [] as string[])) {
    if (p.endsWith('/')) {
      if (!/^[0-9a-f]{2}\/$/.test(p)) problems.push(`cache: unexpected directory objects/${p}`);
      continue;
    }
    const m = /^([0-9a-f]{2})\/([0-9a-f]{62})$/.exec(p);
    if (!m) {
      problems.push(`cache: stray file objects/${p}`);
      continue;
    }
    const digest = createHash('sha256').update(await readFile(join(objects, p))).digest('hex');
    if (digest !== `${m[1]}${m[2]}`) problems.push(`cache: object ${p} has content ${digest}`);
  }
  for (const p of await walk(dir)) {
    const name = p.replace(/\/$/, '').split('/').pop() ?? '';
    if (name.startsWith('.tmp-') || name.endsWith('.tmp')) problems.push(`litter: ${p}`);
    if (p.startsWith('.pipeline/tmp/txn/') && !p.endsWith('/')) problems.push(`litter: open transaction file ${p}`);
    if (p === '.pipeline/run.lock' || p === '.pipeline/run.lock.takeover') problems.push(`litter: ${p} after the run ended`);
  }
  return problems;
}

const COMBOS = [1, 2, 3].flatMap((v) => [1, 2].map((w) => [`v=${v}`, `w=${w}`]));

/** Runs the crash test; never throws for a failed check (they are returned). */
export async function crashTest(opts: CrashOptions): Promise<CrashResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const rng = seededRng(opts.seed);
  const base = await mkdtemp(join(tmpdir(), 'seqlab-crash-'));
  const refDir = join(base, 'reference');
  const dir = join(base, 'project');
  await makeProject(refDir);
  await makeProject(dir);
  const failures: string[] = [];

  // Uninterrupted reference runs, one per params combination, each from a clean project.
  const refs = new Map<string, Snapshot>();
  let longest = 0;
  for (const set of COMBOS) {
    await rm(refDir, { recursive: true, force: true });
    await makeProject(refDir);
    const t = performance.now();
    const r = await startRun(refDir, set);
    longest = Math.max(longest, performance.now() - t);
    if (r.code !== 0) throw new Error(`reference run ${set.join(' ')} failed (${r.code}):\n${r.stderr}`);
    refs.set(set.join(' '), await snapshot(refDir));
  }
  log(`reference runs done; the longest took ${Math.round(longest)} ms`);

  let kills = 0;
  let rounds = 0;
  let last = '';
  while (kills < opts.n) {
    rounds++;
    // Always new params, so that every round has stages to run or restore; half the kill
    // instants fall early, since a round of restores is over long before a cold run would be.
    let set = COMBOS[rng.int(0, COMBOS.length)]!;
    while (set.join(' ') === last) set = COMBOS[rng.int(0, COMBOS.length)]!;
    const key = set.join(' ');
    last = key;
    // Once every combination is in the run-cache a round only restores; forgetting the run
    // records now and then (as gc may) brings back rounds that run their stages.
    if (rng.next() < 0.3) await rm(join(dir, '.pipeline/cache/runs'), { recursive: true, force: true });
    const tries = 1 + (rng.next() < 0.3 ? 1 : 0);
    const at: number[] = [];
    for (let i = 0; i < tries && kills < opts.n; i++) {
      const delay = Math.round(rng.next() < 0.5 ? rng.uniform(0, 700) : rng.uniform(0, longest * 1.1));
      const r = await startRun(dir, set, delay);
      if (r.signal === 'SIGKILL') {
        kills++;
        at.push(delay);
      } else if (r.code !== 0) failures.push(`round ${rounds} (${key}): a run before the kill failed (${r.code}): ${r.stderr.slice(-800)}`);
    }
    const done = await startRun(dir, set);
    const what = `round ${rounds} (${key}, killed at ${at.join(', ') || 'no'} ms)`;
    if (done.code !== 0) {
      failures.push(`${what}: the completing run failed (${done.code}):\n${done.stderr.slice(-1500)}`);
      continue;
    }
    const problems = [...diffSnapshots(refs.get(key)!, await snapshot(dir)), ...(await checkState(dir))];
    if (problems.length > 0) failures.push(`${what}:\n  ${problems.join('\n  ')}`);
    log(`${what}: ${problems.length === 0 ? 'ok' : `${problems.length} problems`} (${kills}/${opts.n} kills)`);
  }
  if (!opts.keep && failures.length === 0) await rm(base, { recursive: true, force: true });
  return { kills, rounds, failures, wallMs: performance.now() - t0, dir: base };
}
