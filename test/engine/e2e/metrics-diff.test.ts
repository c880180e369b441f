/**
 * Issue 15, item 1: `metrics diff` and `params diff` against git revisions, in a real temp git
 * repository whose metrics files are git-ignored outs (as in seqlab): a revision's metrics come
 * from the cache through the lock committed at that revision.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type Project } from '../../helpers/project.ts';

/** Two stages: `score` writes a metrics file into a directory out; `other` one of its own. */
const SCORE = `import { mkdirSync, writeFileSync } from 'node:fs';
const p = JSON.parse(process.env.PIPELINE_PARAMS);
mkdirSync('reports/score', { recursive: true });
writeFileSync('reports/score/metrics.json', JSON.stringify({
  test_accuracy: p.lr * 2, val_loss: 1 / 3, epochs: 4, per_class: [{ f1: p.lr }, { f1: 0.5 }],
}));
writeFileSync('reports/score/curve.json', '[]');
`;
const OTHER = `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('reports', { recursive: true });
writeFileSync('reports/other.json', JSON.stringify({ test_bleu: 0.25, seed: JSON.parse(process.env.PIPELINE_PARAMS).seed }));
`;
const yaml = (lr: number, seed = 1) => `params:
  lr: ${lr}
  seed: ${seed}
stages:
  score:
    cmd: node scripts/score.js
    params: [lr]
    outs: [reports/score]
    metrics: [reports/score/metrics.json]
  other:
    cmd: node scripts/other.js
    params: [seed]
    metrics: [reports/other.json]
`;

describe('metrics diff through the lock and the cache', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  async function setUp(): Promise<(...a: string[]) => string> {
    project = await makeProject({
      'package.json': '{ "type": "module", "private": true }\n',
      'scripts/score.js': SCORE,
      'scripts/other.js': OTHER,
      'pipeline.yaml': yaml(0.1),
      '.gitignore': 'reports/\n.pipeline/\n',
    });
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { cwd: project!.dir, encoding: 'utf8' });
    git('init', '-q');
    expect((await project.cli(['run'])).code).toBe(0);
    git('add', '-A');
    git('commit', '-qm', 'lr 0.1');
    return git;
  }

  it('after a one-param change and a rerun, shows exactly the values that changed', async () => {
    const git = await setUp();
    await project!.write('pipeline.yaml', yaml(0.25));
    expect((await project!.cli(['run'])).code).toBe(0);

    const diff = await project!.cli(['metrics', 'diff', '--json']);
    expect(diff.code, diff.stderr).toBe(0);
    const doc = JSON.parse(diff.stdout) as { a: string; b: string; changes: unknown[]; unavailable?: unknown };
    expect(doc).toMatchObject({ a: 'HEAD', b: 'workspace' });
    expect(doc.unavailable).toBeUndefined();
    expect(doc.changes).toEqual([
      { path: 'reports/score/metrics.json', key: 'per_class.0.f1', before: 0.1, after: 0.25, delta: 0.25 - 0.1 },
      { path: 'reports/score/metrics.json', key: 'test_accuracy', before: 0.2, after: 0.5, delta: 0.5 - 0.2 },
    ]);

    const text = await project!.cli(['metrics', 'diff', '--precision', '2']);
    expect(text.stdout).toMatch(/^path\s+metric\s+HEAD\s+workspace\s+change$/m);
    expect(text.stdout).toMatch(/reports\/score\/metrics\.json\s+test_accuracy\s+0\.2\s+0\.5\s+\+0\.3$/m);
    expect(text.stdout).not.toContain('val_loss');

    // Two revisions: commit the second state and compare the commits, the workspace untouched.
    git('commit', '-qam', 'lr 0.25');
    const ab = await project!.cli(['metrics', 'diff', 'HEAD~1', 'HEAD', '--md', '--target', 'score']);
    expect(ab.code, ab.stderr).toBe(0);
    expect(ab.stdout).toContain('| path | metric | HEAD~1 | HEAD | change |');
    expect(ab.stdout).toContain('| reports/score/metrics.json | test_accuracy | 0.2 | 0.5 | +0.3 |');
    const none = await project!.cli(['metrics', 'diff', 'HEAD~1', 'HEAD', '--target', 'other']);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No metric differs between HEAD~1 and HEAD (1 file(s) compared).');

    const params = await project!.cli(['params', 'diff', 'HEAD~1', 'HEAD']);
    expect(params.stdout).toMatch(/^lr\s+0\.1\s+0\.25\s+\+0\.15$/m);
    expect(params.stdout).not.toContain('seed');
  });

  it('says which object is not in the local cache instead of calling every key added', async () => {
    await setUp();
    await rm(project!.path('.pipeline/cache'), { recursive: true, force: true });
    const diff = await project!.cli(['metrics', 'diff']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toBe('');
    expect(diff.stderr).toMatch(/reports\/score\/metrics\.json at HEAD: recorded at HEAD as [0-9a-f]{12}…, but that object is not in the local cache/);
    expect(diff.stderr).not.toMatch(/added/);
    expect(diff.stderr).toContain('No metrics file could be read on both sides: nothing compared.');
  });

  it('unknown revisions and bad options are usage errors (exit 2)', async () => {
    await setUp();
    for (const args of [['metrics', 'diff', 'nope'], ['params', 'diff', 'nope'], ['metrics', 'diff', '--precision', 'x'], ['metrics', 'diff', 'a', 'b', 'c']]) {
      const r = await project!.cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
    }
    expect((await project!.cli(['metrics', 'diff', 'nope'])).stderr).toContain('Unknown git revision "nope"');
  });
});

describe('metrics show', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('one row per file with its headline metrics; --all for every key; targets filter', async () => {
    project = await makeProject({
      'package.json': '{ "type": "module", "private": true }\n',
      'scripts/score.js': SCORE,
      'scripts/other.js': OTHER,
      'pipeline.yaml': yaml(0.1),
    });
    expect((await project.cli(['run'])).code).toBe(0);
    const show = await project.cli(['metrics', 'show']);
    expect(show.code, show.stderr).toBe(0);
    const lines = show.stdout.trim().split('\n');
    expect(lines).toHaveLength(4); // header, rule, two files
    expect(lines[2]).toMatch(/^score\s+reports\/score\/metrics\.json\s+test_accuracy=0\.2  val_loss=0\.333333$/);
    expect(lines[3]).toMatch(/^other\s+reports\/other\.json\s+test_bleu=0\.25$/);
    const all = await project.cli(['metrics', 'show', 'score', '--all', '--precision', '3']);
    expect(all.stdout).toMatch(/score\s+reports\/score\/metrics\.json\s+per_class\.1\.f1\s+0\.5/);
    expect(all.stdout).toMatch(/val_loss\s+0\.333$/m);
    expect(all.stdout).not.toContain('other');
    const unknown = await project.cli(['metrics', 'show', 'scroe']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean "score"?');
  });
});
