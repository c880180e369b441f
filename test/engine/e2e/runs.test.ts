/**
 * Issue 15, item 2: the run history. Two real runs in a temp git repository (the second with a
 * `--set` and a `--name`), then `pipeline runs`, `runs show` and `--json`.
 */
import { execFileSync } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type Project } from '../../helpers/project.ts';

const SCORE = `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('out', { recursive: true });
writeFileSync('out/m.json', JSON.stringify({ test_accuracy: JSON.parse(process.env.PIPELINE_PARAMS).lr * 2, confusion: [[1, 2], [3, 4]] }));
`;

describe('pipeline runs', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('lists both runs with commit, overrides, ran/restored and key metrics; shows one; --json', async () => {
    project = await makeProject({
      'package.json': '{ "type": "module", "private": true }\n',
      'scripts/score.js': SCORE,
      '.gitignore': 'out/\n.pipeline/\n',
      'pipeline.yaml': `params:
  lr: 0.1
stages:
  score:
    cmd: node scripts/score.js
    params: [lr]
    metrics: [out/m.json]
`,
    });
    execFileSync('git', ['init', '-q'], { cwd: project.dir });
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '-A'], { cwd: project.dir });
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'one'], { cwd: project.dir });
    const commit = execFileSync('git', ['rev-parse', '--short=8', 'HEAD'], { cwd: project.dir, encoding: 'utf8' }).trim();
    expect((await project.cli(['run'])).code).toBe(0);
    expect((await project.cli(['run', '--set', 'lr=0.25', '--name', 'wide'])).code).toBe(0);

    const list = await project.cli(['runs']);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+time \(UTC\)\s+commit\s+profile\s+overrides\s+ok\s+ran\s+restored\s+wall\s+key metrics$/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(new RegExp(`^\\d{8}-\\d{6}-[0-9a-f]{4}\\s+\\S+ \\S+\\s+${commit}\\s+default\\s+—\\s+yes\\s+1\\s+0\\s+\\S+\\s+score:test_accuracy=0\\.2$`));
    expect(lines[3]).toMatch(new RegExp(`\\s+${commit}\\s+default\\s+\\[wide\\] --set lr=0\\.25\\s+yes\\s+1\\s+0\\s+\\S+\\s+score:test_accuracy=0\\.5$`));

    const json = JSON.parse((await project.cli(['runs', '--json'])).stdout) as { runs: { id: string; name?: string; set?: string[]; metrics?: unknown }[] };
    expect(json.runs.map((r) => r.name)).toEqual([undefined, 'wide']);
    expect(json.runs[1]).toMatchObject({ set: ['lr=0.25'], metrics: { score: { test_accuracy: 0.5 } } });

    const id = json.runs[1]!.id;
    const show = await project.cli(['runs', 'show', id.slice(0, -2)]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`run ${id} (wide)`);
    expect(show.stdout).toContain('command   pipeline -C');
    expect(show.stdout).toMatch(/^score\s+test_accuracy\s+0\.5$/m);

    // The history page (a project verb): one plot per metric, a point per run that measured it.
    const history = await project.cli(['history', '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({ ok: true, file: 'reports/history.html', plots: 1, runs: 2 });
    const page = await project.read('reports/history.html');
    expect(page).toContain('aria-label="test_accuracy across runs"');
    expect(page.match(/aria-roledescription="point"/g)).toHaveLength(2);
    expect(page).toContain('<td>[wide] lr=0.25</td>');

    // A line from before ids gets its line number; a torn line is skipped with a warning.
    await appendFile(project.path('.pipeline/logs/runs.jsonl'), `${JSON.stringify({ startedAt: '2026-01-01T00:00:00.000Z', wallMs: 5, ok: true, argv: ['run'], runnerPeakRssBytes: 1, stages: [] })}\n{"torn`);
    const again = await project.cli(['runs']);
    expect(again.stdout).toMatch(/^#3\s+2026-01-01 00:00\s+—\s+default/m);
    expect(again.stderr).toContain('1 line(s) of .pipeline/logs/runs.jsonl do not parse');
    const missing = await project.cli(['runs', 'show', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No recorded run has the id "nope".');
  });
});
