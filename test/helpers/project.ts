/**
 * Helpers for end-to-end tests: a real temp project on disk and the real CLI as a child process
 * (`node bin/pipeline.js -C <dir> …`). No mocks: what the tests see is what a user sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of this repository's CLI entry. */
export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pipeline.js');

/** A temp project: its directory and helpers bound to it. */
export interface Project {
  dir: string;
  path(rel: string): string;
  write(rel: string, text: string): Promise<void>;
  read(rel: string): Promise<string>;
  exists(rel: string): boolean;
  /** Lines of `counter.txt`, which every command of the standard step script appends its name to. */
  counter(): Promise<string[]>;
  /** Runs the CLI to completion. */
  cli(args: string[], opts?: CliOptions): Promise<CliResult>;
  /** Starts the CLI without waiting (for signals and concurrency). */
  spawnCli(args: string[], opts?: CliOptions): RunningCli;
  remove(): Promise<void>;
}

export interface CliOptions {
  env?: Record<string, string>;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Writes `files` (path → text) into a fresh temp directory. */
export async function makeProject(files: Record<string, string>): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'seqlab-e2e-'));
  const write = async (rel: string, text: string) => {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  };
  for (const [rel, text] of Object.entries(files)) await write(rel, text);
  const spawnCli = (args: string[], opts: CliOptions = {}): RunningCli => {
    const child = spawn(process.execPath, [CLI, '-C', dir, ...args], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: '1', FORCE_COLOR: '0', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<CliResult>((res, rej) => {
      child.on('error', rej);
      child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
    });
    return { child, done };
  };
  return {
    dir,
    path: (rel) => join(dir, rel),
    write,
    read: (rel) => readFile(join(dir, rel), 'utf8'),
    exists: (rel) => existsSync(join(dir, rel)),
    counter: async () => {
      try {
        return (await readFile(join(dir, 'counter.txt'), 'utf8')).split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    cli: (args, opts) => spawnCli(args, opts).done,
    spawnCli,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Polls until `path` exists (a stage's "I have started" marker); throws after `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The standard stage script (`scripts/step.js NAME OUT [IN…] [--flags]`): appends NAME to
 * counter.txt, writes OUT from its params and inputs. Flags, for the tests that need them:
 * `--fail` (write a partial OUT, exit 3), `--block` (write a partial OUT and `started-NAME`,
 * record its pid, then wait until `go-NAME` exists), `--meet=OTHER` (record start/end times and
 * wait for OTHER's start, so that two stages provably overlap only when run in parallel).
 */
export const STEP_SCRIPT = `
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tag } from '../lib/tag.js';
const args = process.argv.slice(2);
const flags = Object.fromEntries(args.filter((a) => a.startsWith('--')).map((a) => { const [k, v] = a.slice(2).split('='); return [k, v ?? true]; }));
const [name, out, ...ins] = args.filter((a) => !a.startsWith('--'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
appendFileSync('counter.txt', name + '\\n');
const params = process.env.PIPELINE_PARAMS ?? '{}';
const inputs = ins.map((f) => readFileSync(f, 'utf8').trim()).join('|');
mkdirSync(dirname(out), { recursive: true });
if (flags.meet) {
  writeFileSync('start-' + name, String(Date.now()));
  const until = Date.now() + 8000;
  while (!existsSync('start-' + flags.meet) && Date.now() < until) await sleep(20);
  await sleep(100);
  writeFileSync('end-' + name, String(Date.now()));
}
if (flags.fail || flags.block) writeFileSync(out, 'PARTIAL');
if (flags.fail) { console.log('about to fail: something went wrong'); process.exit(3); }
if (flags.block) {
  writeFileSync('pid-' + name, String(process.pid));
  writeFileSync('started-' + name, '');
  while (!existsSync('go-' + name)) await sleep(50);
}
writeFileSync(out, tag(name) + ' ' + params + ' <' + inputs + '>\\n');
console.log('done ' + name);
`;

/** The module `step.js` imports (editing it must rerun exactly the stages whose scripts import it). */
export const TAG_MODULE = `export function tag(name) { return '[' + name + ']'; }\n`;

/** A script that does not import `lib/tag.js`. */
export const PLAIN_SCRIPT = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
const [name, out] = process.argv.slice(2);
appendFileSync('counter.txt', name + '\\n');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, name + ' ' + (process.env.PIPELINE_PARAMS ?? '') + '\\n');
`;

/** Files every e2e project starts from, plus its pipeline.yaml. */
export function baseFiles(pipelineYaml: string): Record<string, string> {
  return {
    'package.json': '{ "type": "module", "private": true }\n',
    'scripts/step.js': STEP_SCRIPT,
    'scripts/plain.js': PLAIN_SCRIPT,
    'lib/tag.js': TAG_MODULE,
    'pipeline.yaml': pipelineYaml,
  };
}

/** Parses the `--json` document a `run` printed; fails loudly when stdout is anything else. */
export function parseRunJson(stdout: string): { ok: boolean; durationMs: number; stages: { name: string; status: string; error?: string; durationMs: number }[] } {
  return JSON.parse(stdout) as ReturnType<typeof parseRunJson>;
}

/** `{name: status}` from a `--json` run document. */
export function statuses(stdout: string): Record<string, string> {
  return Object.fromEntries(parseRunJson(stdout).stages.map((s) => [s.name, s.status]));
}
