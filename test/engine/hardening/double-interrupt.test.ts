/**
 * Finding 7: a second Ctrl-C exits the runner at once, but first SIGKILLs the stages' process
 * groups, so that no stage keeps running detached and writing its out. A real runner, a real
 * stage that ignores SIGTERM (as a busy training script may), real signals.
 */
import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { groupAlive, pidAlive } from '../../../lib/engine/exec/proc.ts';
import { makeProject, waitForFile, type Project } from '../../helpers/project.ts';

/** Ignores SIGTERM, starts a child in its group, and appends to its out every 20 ms. */
const STUBBORN = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
process.on('SIGTERM', () => {});
const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync('pids', process.pid + ' ' + child.pid);
writeFileSync('started', '');
setInterval(() => appendFileSync('out.txt', 'x'), 20);
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('double Ctrl-C', () => {
  let project: Project | undefined;
  let pids: number[] = [];
  afterEach(async () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL'); // only if the test failed and left them running
      } catch {
        // gone, as it should be
      }
    }
    pids = [];
    await project?.remove();
    project = undefined;
  });

  it('the second SIGINT kills the stage process group before the runner exits', async () => {
    project = await makeProject({
      'package.json': '{ "type": "module", "private": true }\n',
      'stubborn.js': STUBBORN,
      'pipeline.yaml': 'stages:\n  s:\n    cmd: node stubborn.js\n    outs: [out.txt]\n',
    });
    const running = project.spawnCli(['run']);
    await waitForFile(project.path('started'));
    pids = (await project.read('pids')).split(' ').map(Number);
    const [leader] = pids as [number, number];
    running.child.kill('SIGINT');
    await sleep(300); // the first one has been handled: SIGTERM sent, ignored, 3 s grace running
    expect(pidAlive(leader)).toBe(true);
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(r.code).toBe(130);
    // Nothing of the stage's group survives its runner, and the out stops growing.
    for (let i = 0; i < 20 && groupAlive(leader); i++) await sleep(50);
    expect(groupAlive(leader)).toBe(false);
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
    const size = (await stat(project.path('out.txt'))).size;
    await sleep(200);
    expect((await stat(project.path('out.txt'))).size).toBe(size);
    expect(r.stderr).toMatch(/Interrupted again \(SIGINT\): killed 1 running stage\(s\)/);
  });
});
