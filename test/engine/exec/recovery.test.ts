import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordPending, stopOrphanedStages } from '../../../lib/engine/exec/orphans.ts';
import { recoverTransactions } from '../../../lib/engine/exec/transaction.ts';
import { FIXTURES, TSX, alive, cleanTemps, sleep, tempRoot, waitFor } from './helpers.ts';

afterEach(cleanTemps);

describe('recovery after the runner was SIGKILLed mid-stage', () => {
  it('stops the orphaned stage, then puts the previous outs back', async () => {
    const root = await tempRoot();
    await writeFile(join(root, 'out.txt'), 'old\n');
    // Detached: tsx runs the script in a child node, so the runner is a group of two.
    const runner = spawn(TSX, [join(FIXTURES, 'runner-child.ts'), root], { stdio: 'inherit', detached: true });
    const pidFile = join(root, 'stage.pid');
    let stagePid = 0;
    try {
      expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'))).toBe(true);
      stagePid = Number(readFileSync(pidFile, 'utf8'));
      const exited = new Promise((r) => runner.on('exit', r));
      process.kill(-runner.pid!, 'SIGKILL');
      await exited;
      await sleep(100);
      // The stage lives on in its own process group, still writing its out.
      expect(alive(stagePid)).toBe(true);
      expect(readFileSync(join(root, 'out.txt'), 'utf8')).toContain('partial');

      expect(await recoverTransactions(root)).toEqual(['s']);
      expect(alive(stagePid)).toBe(false);
      await sleep(150); // would be long enough for a survivor to write again
      expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe('old\n');
    } finally {
      if (stagePid > 0 && alive(stagePid)) process.kill(-stagePid, 'SIGKILL');
    }
  });
});

describe('a runner killed between writing the pending record and learning the group id', () => {
  it('finds the stage by the token in its environment and stops it', async () => {
    const root = await tempRoot();
    await mkdir(join(root, '.pipeline/tmp/running'), { recursive: true });
    const token = recordPending(root, 'p');
    // Pretend the runner that wrote the record is dead: a pid that exited.
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    const file = join(root, '.pipeline/tmp/running', readdirSync(join(root, '.pipeline/tmp/running'))[0]!);
    const rec = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...rec, runnerPid: gone.pid, runnerStartTicks: undefined }));
    const orphan = spawn('sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore', env: { ...process.env, PIPELINE_RUN_TOKEN: token } });
    try {
      expect(await waitFor(() => alive(orphan.pid!))).toBe(true);
      expect(await stopOrphanedStages(root)).toEqual(['p']);
      expect(alive(orphan.pid!)).toBe(false);
    } finally {
      if (alive(orphan.pid!)) process.kill(-orphan.pid!, 'SIGKILL');
    }
  });
});
