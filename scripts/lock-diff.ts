/**
 * `tsx scripts/lock-diff.ts LOCK [REV]`: compares LOCK in the work tree with LOCK at git
 * revision REV (default HEAD) and prints each differing stage, input and out; exit 1 when they
 * differ, 2 when either cannot be read. Used by scripts/check-reproduction.sh.
 */
import { readFile } from 'node:fs/promises';
import { gitShow } from '../lib/engine/git.ts';
import { parseLock } from '../lib/engine/store/lock-yaml.ts';
import { diffLocks } from '../lib/engine/store/lock-diff.ts';

const [file, rev = 'HEAD'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: tsx scripts/lock-diff.ts LOCK [REV]\n');
  process.exit(2);
}
let old: string | undefined;
try {
  old = await gitShow(process.cwd(), rev, file);
} catch (e) {
  process.stderr.write(`${file} could not be read at ${rev}: ${(e as Error).message}\n`);
  process.exit(2);
}
if (old === undefined) {
  process.stderr.write(`${file} is not in ${rev}\n`);
  process.exit(2);
}
const committed = parseLock(old, `${file}@${rev}`);
const text = await readFile(file, 'utf8').catch(() => undefined);
// A run that recorded nothing leaves no lock: every committed stage then differs.
const now = text === undefined ? ({ ok: true, value: { schema: 1, stages: {} } } as const) : parseLock(text, file);
if (!committed.ok || !now.ok) {
  for (const d of [...(committed.ok ? [] : committed.error), ...(now.ok ? [] : now.error)]) process.stderr.write(`${d.message}\n`);
  process.exit(2);
}
const lines = diffLocks(committed.value, now.value);
for (const l of lines) process.stdout.write(`${l}\n`);
process.exit(lines.length > 0 ? 1 : 0);
