import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { baseFiles, makeProject, parseRunJson, statuses, type Project } from '../../helpers/project.ts';
import { fixtureYaml } from './fixture.ts';

const noStack = /\n\s+at .+:\d+:\d+/;

describe('pipeline CLI', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('runs two independent stages at the same time under -j 2', async () => {
    project = await makeProject(
      baseFiles(`stages:
  left:
    cmd: node scripts/step.js left out/left.txt --meet=right
    outs: [out/left.txt]
  right:
    cmd: node scripts/step.js right out/right.txt --meet=left
    outs: [out/right.txt]
`),
    );
    const r = await project.cli(['run', '-j', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const t = async (f: string) => Number(await project!.read(f));
    const [ls, le, rs, re] = [await t('start-left'), await t('end-left'), await t('start-right'), await t('end-right')];
    // Each waited for the other's start, so the intervals overlap only if both ran at once.
    expect(ls).toBeLessThan(re);
    expect(rs).toBeLessThan(le);
  });

  it('a malformed config exits 2 with a located message and no stack trace', async () => {
    project = await makeProject(
      baseFiles(`stages:
  prep:
    cmd: node scripts/step.js prep out/prep.txt
    outz: [out/prep.txt]
`),
    );
    const r = await project.cli(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipeline\.yaml:4:5/);
    expect(r.stderr).toContain('outz');
    expect(r.stderr).toMatch(/Did you mean "outs"\?/);
    expect(r.stderr).not.toMatch(noStack);
    const j = await project.cli(['status', '--json']);
    expect(j.code).toBe(2);
    const doc = JSON.parse(j.stdout) as { ok: boolean; errors: { message: string; line?: number }[] };
    expect(doc.ok).toBe(false);
    expect(doc.errors[0]?.message).toContain('outz');
  });

  it('--json prints exactly one document on stdout, with per-stage fields', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const r = await project.cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseRunJson(r.stdout);
    expect(doc.ok).toBe(true);
    expect(typeof doc.durationMs).toBe('number');
    const prep = doc.stages.find((s) => s.name === 'prep') as Record<string, unknown> | undefined;
    expect(prep).toMatchObject({ status: 'ran', exitCode: 0, log: '.pipeline/logs/prep.log' });
    expect(prep?.['fingerprint']).toMatch(/^[0-9a-f]{64}$/);
    expect(await project.read('.pipeline/logs/prep.log')).toContain('done prep');
    const runLog = (await project.read('.pipeline/logs/runs.jsonl')).trim().split('\n');
    expect(runLog).toHaveLength(1);
    expect(JSON.parse(runLog[0]!)).toMatchObject({ ok: true, stages: expect.arrayContaining([expect.objectContaining({ name: 'side', status: 'ran' })]) });
  });

  it('status and explain name what changed, read-only', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const before = await project.cli(['status', '--json']);
    expect(before.code, before.stderr).toBe(0);
    expect((JSON.parse(before.stdout) as { stages: { state: string }[] }).stages.map((s) => s.state)).toEqual(['never-run', 'never-run', 'never-run']);
    expect(project.exists('pipeline.lock')).toBe(false);

    expect((await project.cli(['run'])).code).toBe(0);
    await project.write('pipeline.yaml', fixtureYaml({ a: 7 }));
    const status = await project.cli(['status', '--json']);
    const stages = (JSON.parse(status.stdout) as { stages: { name: string; state: string; reasons?: { kind: string; key?: string; stage?: string }[] }[] }).stages;
    expect(stages.find((s) => s.name === 'prep')).toMatchObject({ state: 'changed', reasons: [{ kind: 'param', key: 'a' }] });
    expect(stages.find((s) => s.name === 'train')).toMatchObject({ state: 'changed', reasons: [{ kind: 'upstream', stage: 'prep' }] });
    expect(stages.find((s) => s.name === 'side')?.state).toBe('fresh');
    const text = await project.cli(['status']);
    expect(text.stdout).toMatch(/prep\s+changed\s*\n\s+param a: 1 → 7/);

    const explain = await project.cli(['explain', 'prep']);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('param a: 1 → 7');
    await project.write('lib/tag.js', `export const tag = (n) => n;\n`);
    const code = await project.cli(['explain', 'train', '--json']);
    expect((JSON.parse(code.stdout) as { reasons: { kind: string; path?: string }[] }).reasons).toContainEqual(expect.objectContaining({ kind: 'code', path: 'lib/tag.js' }));
    const unknown = await project.cli(['explain', 'trian']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean "train"?');
  });

  it('usage errors exit 2 with a suggestion; --help and --version work', async () => {
    project = await makeProject(baseFiles(fixtureYaml()));
    const verb = await project.cli(['rum']);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('Did you mean "run"?');
    const flag = await project.cli(['run', '--forse']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Did you mean "--force"?');
    const target = await project.cli(['run', 'prepp']);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('Did you mean "prep"?');
    expect(target.stderr).not.toMatch(noStack);
    const help = await project.cli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--dry-run');
    const version = await project.cli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await project.counter()).toEqual([]);
  });

  it('dag, metrics show/diff, params diff and gc', async () => {
    project = await makeProject({
      'scripts/score.js': `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('out', { recursive: true });
writeFileSync('out/m.json', JSON.stringify({ acc: JSON.parse(process.env.PIPELINE_PARAMS).lr * 2 }));
`,
      ...baseFiles(`params:
  lr: 0.1
stages:
  score:
    cmd: node scripts/score.js
    params: [lr]
    metrics: [out/m.json]
  after:
    cmd: cp out/m.json out/copy.json
    deps: [out/m.json]
    outs: [out/copy.json]
`),
    });
    const dag = await project.cli(['dag', '--format', 'dot']);
    expect(dag.code, dag.stderr).toBe(0);
    expect(dag.stdout).toMatch(/"score"\s*->\s*"after"/);
    expect((await project.cli(['run'])).code).toBe(0);
    const git = (...a: string[]) => execFileSync('git', a, { cwd: project!.dir, stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '-f', 'pipeline.yaml', 'out/m.json');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'x');
    const show = await project.cli(['metrics', 'show']);
    expect(show.stdout).toMatch(/score\s+out\/m\.json\s+acc=0\.2/);
    await project.write('pipeline.yaml', (await project.read('pipeline.yaml')).replace('lr: 0.1', 'lr: 0.25'));
    expect((await project.cli(['run'])).code).toBe(0);
    const mdiff = await project.cli(['metrics', 'diff', '--json']);
    expect(JSON.parse(mdiff.stdout)).toMatchObject({ ok: true, rev: 'HEAD', changes: [{ path: 'out/m.json', key: 'acc', before: 0.2, after: 0.5 }] });
    const pdiff = await project.cli(['params', 'diff']);
    expect(pdiff.stdout).toMatch(/lr\s+0\.1\s+0\.25\s+\+0\.15/);
    const badRev = await project.cli(['params', 'diff', 'nope']);
    expect(badRev.code).toBe(2);
    expect(badRev.stderr).toContain('Unknown git revision "nope"');
    const gc = await project.cli(['gc', '--json']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(JSON.parse(gc.stdout)).toMatchObject({ ok: true });
    const again = await project.cli(['run', '--json']);
    expect(statuses(again.stdout)).toEqual({ score: 'cached', after: 'cached' });
  });
});
