/**
 * The plan a `run` hands its reporter first: the real action per stage (fresh, restore, run),
 * not a placeholder, and the outcomes that follow it. In-process, with real shell commands.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../lib/engine/run.ts';
import type { EngineEvent, Reporter } from '../../../lib/engine/types.ts';

function yaml(a: number): string {
  return `params:
  a: ${a}
  b: 1
stages:
  one:
    cmd: echo "$PIPELINE_PARAMS" > out/one.txt
    params: [a]
    outs: [out/one.txt]
  two:
    cmd: cat out/one.txt > out/two.txt
    deps: [out/one.txt]
    outs: [out/two.txt]
  three:
    cmd: echo "$PIPELINE_PARAMS" > out/three.txt
    params: [b]
    outs: [out/three.txt]
`;
}

/** Runs the pipeline in `root`; returns the plan event's actions and the outcomes' statuses. */
async function run(root: string, force = false): Promise<{ plan: Record<string, string>; status: Record<string, string> }> {
  const events: EngineEvent[] = [];
  const reporter: Reporter = { event: (e) => void events.push(e), close: async () => {} };
  const r = await runPipeline({ root, reporter, jobs: 2, force });
  expect(r.exitCode, JSON.stringify(r.diagnostics ?? r.outcomes)).toBe(0);
  const plans = events.filter((e): e is Extract<EngineEvent, { type: 'plan' }> => e.type === 'plan');
  expect(plans).toHaveLength(1);
  // The plan comes before anything happens to a stage.
  expect(events[0]?.type).toBe('plan');
  return {
    plan: Object.fromEntries(plans[0]!.stages.map((s) => [s.name, s.action])),
    status: Object.fromEntries(r.outcomes.map((o) => [o.name, o.status])),
  };
}

describe('run: the plan given to reporters', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  it('names what each stage will do, run after run', async () => {
    root = await mkdtemp(join(tmpdir(), 'seqlab-plan-'));
    await writeFile(join(root, 'pipeline.yaml'), yaml(1));

    expect(await run(root)).toEqual({ plan: { one: 'run', two: 'run', three: 'run' }, status: { one: 'ran', two: 'ran', three: 'ran' } });
    expect(await run(root)).toEqual({ plan: { one: 'fresh', two: 'fresh', three: 'fresh' }, status: { one: 'cached', two: 'cached', three: 'cached' } });

    await writeFile(join(root, 'pipeline.yaml'), yaml(2));
    expect(await run(root)).toEqual({ plan: { one: 'run', two: 'run', three: 'fresh' }, status: { one: 'ran', two: 'ran', three: 'cached' } });

    // Reverting: `one` comes back from the run-cache; `two` is planned to run because its dep
    // is about to change, and is then found restorable once it has.
    await writeFile(join(root, 'pipeline.yaml'), yaml(1));
    expect(await run(root)).toEqual({ plan: { one: 'restore', two: 'run', three: 'fresh' }, status: { one: 'restored', two: 'restored', three: 'cached' } });

    expect(await run(root, true)).toEqual({ plan: { one: 'run', two: 'run', three: 'run' }, status: { one: 'ran', two: 'ran', three: 'ran' } });
  }, 60_000);
});
