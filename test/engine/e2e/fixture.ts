import { waitForFile, type Project } from '../../helpers/project.ts';

/**
 * The e2e fixture pipeline: prep → train (a chain, both importing lib/tag.js through
 * scripts/step.js) and side (independent, no import of lib/tag.js).
 */
export interface FixtureOptions {
  a?: number;
  b?: number;
  c?: number;
  /** Extra flags for the prep command (`--fail`, `--block`…). */
  prepFlags?: string;
  sideFlags?: string;
}

/** pipeline.yaml text for the fixture. */
export function fixtureYaml(o: FixtureOptions = {}): string {
  return `params:
  a: ${o.a ?? 1}
  b: ${o.b ?? 1}
  c: ${o.c ?? 1}
stages:
  prep:
    cmd: node scripts/step.js prep out/prep.txt${o.prepFlags ? ` ${o.prepFlags}` : ''}
    params: [a]
    outs: [out/prep.txt]
  train:
    cmd: node scripts/step.js train out/train.txt out/prep.txt
    deps: [out/prep.txt]
    params: [b]
    outs: [out/train.txt]
  side:
    cmd: node scripts/plain.js side out/side.txt${o.sideFlags ? ` ${o.sideFlags}` : ''}
    params: [c]
    outs: [out/side.txt]
`;
}

/**
 * A fixture project run once to completion, then a run with a=2 whose `prep` blocks, SIGKILLed
 * mid-stage: its transaction stays open, its run lock stale and `prep` orphaned (the next run
 * stops it). Returns the content `out/prep.txt` had after the complete run.
 */
export async function killRunnerMidStage(project: Project): Promise<string> {
  const first = await project.cli(['run']);
  if (first.code !== 0) throw new Error(`the first run failed: ${first.stderr}`);
  const prepBefore = await project.read('out/prep.txt');
  await project.write('pipeline.yaml', fixtureYaml({ a: 2, prepFlags: '--block' }));
  const running = project.spawnCli(['run']);
  await waitForFile(project.path('started-prep'));
  running.child.kill('SIGKILL');
  await running.done;
  return prepBefore;
}

/**
 * A two-stage pipeline with a `smoke` profile (n: 100 → 2), for the profile-lock and reproduction
 * tests: `make` (param n) writes out/a.json; `use` writes out/b.json, after `make` when `dep` is set.
 * Both run `node make.js OUT`.
 */
export function profileYaml(o: { dep?: boolean } = {}): string {
  return `params:
  n: 100
profiles:
  smoke: { n: 2 }
stages:
  make:
    cmd: node make.js out/a.json
    params: [n]
    outs: [out/a.json]
  use:
    cmd: node make.js out/b.json${o.dep ? '\n    deps: [out/a.json]' : ''}
    outs: [out/b.json]
`;
}
