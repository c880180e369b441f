/**
 * The randomized crash test (`pnpm tsx bench/crash-test.ts --n 200 --seed 1`): SIGKILLs the
 * runner at N random instants and checks, after each, that a completing run leaves outs
 * identical to an uninterrupted run, a consistent lock and cache, and no temporary litter
 * (bench/lib/crash.ts says exactly what is checked). Prints a table; exits 1 on any failure.
 * `--keep` keeps the temp project.
 */
import { parseArgs } from 'node:util';
import { crashTest } from './lib/crash.ts';
import { markdownTable } from './lib/timing.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } } });
const n = Number(values.n);
const seed = Number(values.seed);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: tsx bench/crash-test.ts [--n N] [--seed S] [--keep]\n');
  process.exit(2);
}
const r = await crashTest({ n, seed, keep: values.keep, log: (line) => process.stderr.write(`${line}\n`) });
for (const f of r.failures) process.stderr.write(`FAIL ${f}\n`);
process.stdout.write(
  `${markdownTable(['kills', 'rounds', 'seed', 'failures', 'wall'], [[String(r.kills), String(r.rounds), String(seed), String(r.failures.length), `${(r.wallMs / 1000).toFixed(0)} s`]])}\n`,
);
if (r.failures.length > 0) process.stderr.write(`project kept in ${r.dir}\n`);
process.exit(r.failures.length > 0 ? 1 : 0);
