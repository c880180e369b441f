/**
 * Throughput and latency of the model server on the date translator, with and without request
 * batching, at 1, 8 and 32 concurrent connections (autocannon, loopback only), and the server's
 * resident memory after every phase (it should stay flat). The server runs in its own process
 * (`lib/serve/main.ts`), so the load generator does not share its event loop. Prints a table.
 *
 *   pnpm bench:serve [--root DIR] [--seconds 5] [--units 64]
 *
 * Without --root it trains a translator (`--units`, 1 epoch: its weights, not its accuracy,
 * set the cost of a forward pass) in a temp project and registers it.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/ml/backend.ts';
import { projectWithTranslator } from '../test/serve/helpers.ts';

const { values } = parseArgs({ options: { root: { type: 'string' }, seconds: { type: 'string', default: '5' }, units: { type: 'string', default: '64' } } });
const seconds = Number(values.seconds);
let root = values.root;
let temp: string | undefined;
if (!root) {
  await initBackend({ log: () => {} });
  temp = mkdtempSync(path.join(os.tmpdir(), 'seqlab-bench-serve-'));
  root = await projectWithTranslator(temp, 'general', Number(values.units));
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startServer(batching: boolean): Promise<{ child: ChildProcess; url: string }> {
  const args = ['--import', 'tsx', path.resolve('lib/serve/main.ts'), '--port', '0', '--root', root!, ...(batching ? [] : ['--no-batching'])];
  // The per-request log line goes to stderr, which is ignored here: the terminal would be the bottleneck.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { child, url };
}

const body = JSON.stringify({ instances: ['June 3, 2021'] });
const rows: string[] = ['| batching | connections | req/s | p50 ms | p99 ms | errors | requests | server RSS after (MiB) |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
for (const batching of [false, true]) {
  const { child, url } = await startServer(batching);
  const path_ = '/v1/models/date-translator:predict';
  await fetch(url + path_, { method: 'POST', body }); // load the model before timing
  let total = 0;
  for (const connections of [1, 8, 32]) {
    const r = await autocannon({ url: url + path_, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, duration: seconds });
    total += r.requests.total;
    rows.push(`| ${batching ? 'on' : 'off'} | ${connections} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors + r.non2xx} | ${total} | ${rssMiB(child.pid!).toFixed(0)} |`);
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}
process.stdout.write(`${rows.join('\n')}\n`);
if (temp) rmSync(temp, { recursive: true, force: true });
