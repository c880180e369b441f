/**
 * Throughput and latency of the model server on the date translator, with and without request
 * batching, at 1, 8 and 32 concurrent connections (autocannon, loopback only), then the memory
 * check: the server's RSS and live tensors before and after `--requests` requests. The server
 * runs in its own process (`lib/serve/main.ts --debug`), so the load generator does not share
 * its event loop. Prints two tables.
 *
 *   pnpm bench:serve [--root DIR] [--seconds 5] [--units 64] [--requests 100000] [-- SERVER ARGS]
 *
 * Without --root it trains a translator (`--units`, 1 epoch: its weights, not its accuracy,
 * set the cost of a forward pass) in a temp project and registers it. `--requests 0` skips the
 * memory check. Arguments after `--` go to the batching server (`--max-delay-ms 0`…).
 *
 * Besides req/s, each row has the server's CPU time per request (user + system, from
 * /proc/PID/stat): on a machine other processes load, req/s follows the load, while CPU per
 * request is mostly the server's own cost, and the off/on ratio of it is the batching gain the
 * server would have on an idle machine where it is CPU-bound.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/ml/backend.ts';
import { projectWithTranslator } from '../test/serve/helpers.ts';

const { values, positionals } = parseArgs({
  options: { root: { type: 'string' }, seconds: { type: 'string', default: '5' }, units: { type: 'string', default: '64' }, requests: { type: 'string', default: '100000' } },
  allowPositionals: true,
});
const seconds = Number(values.seconds);
const requests = Number(values.requests);
let root = values.root;
let temp: string | undefined;
if (!root) {
  await initBackend({ log: () => {} });
  temp = mkdtempSync(path.join(os.tmpdir(), 'seqlab-bench-serve-'));
  root = await projectWithTranslator(temp, 'general', Number(values.units));
}

const MiB = 1024 * 1024;
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** User + system CPU seconds of `pid` so far (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startServer(batching: boolean): Promise<{ child: ChildProcess; url: string }> {
  const args = ['--import', 'tsx', path.resolve('lib/serve/main.ts'), '--port', '0', '--root', root!, '--debug', ...(batching ? positionals : ['--no-batching'])];
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

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}

interface Memory {
  rss_bytes: number;
  num_tensors: number;
  batches: Record<string, { passes: number; instances: number }>;
}
const memory = async (url: string): Promise<Memory> => (await (await fetch(`${url}/v1/debug/memory`)).json()) as Memory;
const meanBatch = (m: Memory): number => Object.values(m.batches).reduce((a, b) => a + b.instances, 0) / Math.max(1, Object.values(m.batches).reduce((a, b) => a + b.passes, 0));

const PREDICT = '/v1/models/date-translator:predict';
const body = JSON.stringify({ instances: ['June 3, 2021'] });
const load = (url: string, connections: number, opts: { duration?: number; amount?: number }): Promise<autocannon.Result> =>
  autocannon({ url: url + PREDICT, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, ...opts });

process.stderr.write(`load before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)\n`);
const rows: string[] = [
  '| batching | connections | req/s | p50 ms | p99 ms | errors | server CPU ms/req | mean batch | server RSS after (MiB) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const batching of [false, true]) {
  const { child, url } = await startServer(batching);
  await fetch(url + PREDICT, { method: 'POST', body }); // load the model before timing
  for (const connections of [1, 8, 32]) {
    const cpu0 = cpuSeconds(child.pid!);
    const m0 = await memory(url);
    const r = await load(url, connections, { duration: seconds });
    const cpu = cpuSeconds(child.pid!) - cpu0;
    const m1 = await memory(url);
    const passes = Object.values(m1.batches).reduce((a, b) => a + b.passes, 0) - Object.values(m0.batches).reduce((a, b) => a + b.passes, 0);
    const instances = Object.values(m1.batches).reduce((a, b) => a + b.instances, 0) - Object.values(m0.batches).reduce((a, b) => a + b.instances, 0);
    rows.push(`| ${batching ? 'on' : 'off'} | ${connections} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors + r.non2xx} | ` +
      `${((1000 * cpu) / Math.max(1, r.requests.total)).toFixed(2)} | ${(instances / Math.max(1, passes)).toFixed(1)} | ${rssMiB(child.pid!).toFixed(0)} |`);
  }
  await stop(child);
}
process.stdout.write(`${rows.join('\n')}\n`);

if (requests > 0) {
  // Warm first (JIT, the heap's working size, the allocator's pools), then measure the growth over `requests` more.
  const { child, url } = await startServer(true);
  await load(url, 32, { amount: Math.min(5000, requests) });
  const before = await memory(url);
  const r = await load(url, 32, { amount: requests });
  const after = await memory(url);
  await stop(child);
  process.stdout.write(`\n| memory (batching on, 32 connections) | requests | errors | server RSS (MiB) | live tensors | mean batch |\n|---|---:|---:|---:|---:|---:|\n` +
    `| after warm-up | ${Math.min(5000, requests)} | | ${(before.rss_bytes / MiB).toFixed(0)} | ${before.num_tensors} | |\n` +
    `| after the load | ${r.requests.total} | ${r.errors + r.non2xx} | ${(after.rss_bytes / MiB).toFixed(0)} | ${after.num_tensors} | ${meanBatch(after).toFixed(1)} |\n`);
}
process.stderr.write(`load after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
if (temp) rmSync(temp, { recursive: true, force: true });
