/**
 * Issue 15, item 5: the CLI as a user meets it: piped into `head`, asked for help, mistyped,
 * run through pnpm as the README says.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../lib/engine/cli/io.ts';
import { verbs as engineVerbs } from '../../../lib/engine/cli/verbs.ts';
import { projectVerbs } from '../../../lib/cli/verbs.ts';
import { main } from '../../../lib/cli/main.ts';
import { CLI, baseFiles, makeProject, type Project } from '../../helpers/project.ts';
import { fixtureYaml } from './fixture.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function captured(): CliIo & { text: () => string } {
  let text = '';
  return { out: (t) => void (text += t), err: (t) => void (text += t), color: false, isTTY: false, cwd: process.cwd(), text: () => text };
}

describe('CLI polish', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('every verb\'s --help ends with examples that name the verb, and so does the global help', async () => {
    const global = captured();
    expect(await main(['--help'], global)).toBe(0);
    expect(global.text()).toMatch(/\nExamples:\n {2}pipeline run /);
    for (const v of [...engineVerbs, ...projectVerbs]) {
      const io = captured();
      expect(await main([v.name, '--help'], io)).toBe(0);
      const examples = io.text().split('\nExamples:\n')[1];
      expect(examples, v.name).toBeDefined();
      expect(examples!.split('\n').filter(Boolean).every((l) => l.startsWith(`  pipeline ${v.name}`)), v.name).toBe(true);
    }
  });

  it('a reader that goes away (`| head`) ends the output quietly, not with an EPIPE stack trace', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const child = spawn(process.execPath, [CLI, '-C', project.dir, 'status', '--all'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    // Close our end before the CLI writes: its first write to stdout meets a pipe without reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(stderr).not.toMatch(/EPIPE|internal error|\n\s+at /);
    expect(code).toBe(0);
  });

  it('a mistyped sub-command gets a did-you-mean and exit 2', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const r = await project.cli(['models', 'lsit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown sub-command "models lsit"\.\n\s+Did you mean "models list"\?/m);
    const m = await project.cli(['metrics', 'shwo']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('Did you mean "metrics show"?');
    expect((await project.cli(['runs', 'shwo'])).stderr).toContain('Did you mean "runs show"?');
  });

  it('status lists only what is not fresh, with a count; --all lists everything', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    expect((await project.cli(['run'])).code).toBe(0);
    await project.write('pipeline.yaml', fixtureYaml({ a: 7 }));
    const r = await project.cli(['status']);
    expect(r.stdout).toMatch(/^prep\s+changed/m);
    expect(r.stdout).toMatch(/^train\s+changed/m);
    expect(r.stdout).not.toMatch(/side/);
    expect(r.stderr).toContain('1 fresh, 2 changed, 0 restorable, 0 never run. (--all lists the fresh ones too.)');
    const all = await project.cli(['status', '--all']);
    expect(all.stdout).toMatch(/^side\s+fresh/m);
  });

  it('the README\'s `--json` form through pnpm prints a document that parses', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const readme = await readFile(`${REPO}/README.md`, 'utf8');
    const form = /^(pnpm .*?pipeline) status --json/m.exec(readme)?.[1];
    expect(form, 'README shows `pnpm … pipeline status --json`').toBeDefined();
    const [cmd, ...args] = form!.split(' ');
    const stdout = await new Promise<string>((res, rej) =>
      execFile(cmd!, [...args, '-C', project!.dir, 'status', '--json'], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } }, (e, out) => (e ? rej(e) : res(out))),
    );
    expect((JSON.parse(stdout) as { ok: boolean }).ok).toBe(true);
  });
});
