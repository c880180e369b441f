/**
 * The engine's verb table: name → spec with a lazily imported handler. A project adds its own
 * verbs through `main(argv, io, { extraVerbs })` (seqlab's `models` and `verify`: lib/cli/).
 */
import type { VerbSpec } from './verb.ts';

/** The `--json` option, for verbs defined here and in projects. */
export const json = { type: 'boolean', help: 'print one JSON document on stdout' } as const;

/** Every verb the CLI knows, in help order. */
export const verbs: VerbSpec[] = [
  {
    name: 'run',
    summary: 'Bring targets (default: all stages) up to date: run changed stages, restore known ones, skip fresh ones.',
    usage: 'run [TARGET…] [options]',
    details: 'Targets are stage names, matrix members (ablate@no-memory) or globs (ablate@*).',
    options: {
      jobs: { type: 'string', short: 'j', value: 'N', help: 'run up to N stages at once (default: number of cores)' },
      force: { type: 'boolean', short: 'f', help: 'rerun the selected stages even if fresh' },
      'dry-run': { type: 'boolean', short: 'n', help: 'print what would run, restore or stay, and stop' },
      set: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'override a param' },
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'apply a profile from pipeline.yaml' },
      'keep-going': { type: 'boolean', short: 'k', help: 'finish independent branches after a failure (default)' },
      'fail-fast': { type: 'boolean', help: 'stop starting stages after the first failure' },
      downstream: { type: 'boolean', short: 'd', help: 'also run the stages downstream of the targets' },
      reporter: { type: 'string', value: 'NAME', help: 'live | lines | json (default: live on a TTY, else lines)' },
      name: { type: 'string', value: 'NAME', help: 'label this run in the run history (`pipeline runs`)' },
      executor: { type: 'string', value: 'NAME', help: "local | slurm: where stages run (default: pipeline.yaml's executor, else local)" },
      json,
    },
    examples: [
      'run                              # bring every stage up to date',
      'run train-ex1 --set ex1.units=128 # one target, one param changed for this run',
      'run --profile smoke -n           # what a smoke run would do, without doing it',
      'run --set ex1.units=128 --name wide # labelled in `pipeline runs`',
    ],
    load: async () => (await import('./run-verb.ts')).runVerb,
  },
  {
    name: 'status',
    summary: 'Show per stage whether it is fresh, changed (and why), restorable from the cache, or never run.',
    usage: 'status [TARGET…] [options]',
    details: 'Lists the stages that are not fresh, then a one-line count; --all lists the fresh ones too. --json always lists every selected stage.',
    options: {
      all: { type: 'boolean', short: 'a', help: 'also list the fresh stages' },
      set: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'override a param' },
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'apply a profile from pipeline.yaml' },
      json,
    },
    examples: [
      'status                           # the stages that are not fresh, and why',
      'status --all --json               # every stage, as JSON',
    ],
    load: async () => (await import('./status-verb.ts')).statusVerb,
  },
  {
    name: 'explain',
    summary: "Show what differs between a stage's inputs now and at its last run.",
    usage: 'explain STAGE [options]',
    options: {
      set: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'override a param' },
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'apply a profile from pipeline.yaml' },
      json,
    },
    examples: [
      'explain train-ex2                # what differs since train-ex2 last ran',
    ],
    load: async () => (await import('./status-verb.ts')).explainVerb,
  },
  {
    name: 'dag',
    summary: 'Print the stage graph.',
    usage: 'dag [--format mermaid|dot|json]',
    options: {
      format: { type: 'string', value: 'FORMAT', help: 'mermaid (default), dot or json' },
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'apply a profile from pipeline.yaml' },
    },
    examples: [
      'dag --format dot | dot -Tsvg > dag.svg',
    ],
    load: async () => (await import('./dag-verb.ts')).dagVerb,
  },
  {
    name: 'metrics',
    summary: "Show the stages' metrics (show), or compare them between two revisions or a revision and the workspace (diff).",
    usage: 'metrics show [TARGET…] [options] | metrics diff [A [B]] [options]',
    details: [
      'show: one row per metrics file with its headline metrics (accuracy, loss, perplexity, …); --all lists every key.',
      'diff: A defaults to HEAD, B to the workspace. A revision\'s metrics are read from the local cache through the',
      'lock file committed at that revision (git-ignored outs are fine; an object this clone never produced is reported).',
      'Targets (stage names or globs) filter either sub-command: --target STAGE, repeatable.',
    ].join('\n'),
    options: {
      target: { type: 'string', short: 't', multiple: true, value: 'STAGE', help: 'only the metrics of this stage (glob allowed)' },
      all: { type: 'boolean', short: 'a', help: 'show: every key, not only the headline metrics; diff: unchanged keys too' },
      'only-changed': { type: 'boolean', help: 'diff: leave out added and removed keys, keep those whose value changed' },
      md: { type: 'boolean', help: 'print a Markdown table' },
      precision: { type: 'string', value: 'N', help: 'significant digits of numbers (default 6)' },
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'read the lock file of this profile' },
      json,
    },
    examples: [
      'metrics show                     # headline metrics, one row per file',
      'metrics show -t train-ex1 --all  # every key of one stage',
      'metrics diff                     # workspace vs HEAD',
      'metrics diff HEAD~3 HEAD --md    # two commits, as Markdown',
    ],
    load: async () => (await import('./metrics-verb.ts')).metricsVerb,
  },
  {
    name: 'params',
    summary: 'Compare the params between two git revisions, or a revision and the workspace (default HEAD).',
    usage: 'params diff [A [B]] [options]',
    options: {
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'apply a profile from pipeline.yaml (to both sides)' },
      md: { type: 'boolean', help: 'print a Markdown table' },
      precision: { type: 'string', value: 'N', help: 'significant digits of numbers (default 6)' },
      json,
    },
    examples: [
      'params diff                      # workspace vs HEAD',
      'params diff HEAD~1 HEAD          # what the last commit changed',
    ],
    load: async () => (await import('./metrics-verb.ts')).paramsVerb,
  },
  {
    name: 'runs',
    summary: 'List the recorded runs (id, time, commit, profile, overrides, stages ran/restored, key metrics, wall time), or show one.',
    usage: 'runs [show ID] [options]',
    details: 'Every `pipeline run` appends a line to .pipeline/logs/runs.jsonl; ids are unique prefixes of it (or #N for old lines).',
    options: {
      last: { type: 'string', short: 'n', value: 'N', help: 'only the N most recent runs (default 20)' },
      all: { type: 'boolean', short: 'a', help: 'every recorded run' },
      json,
    },
    examples: [
      'runs                             # the last 20 runs, newest last',
      'runs show 20261206-0915          # one run in full (any unique prefix of its id)',
      'runs --all --json                # every run, as JSON',
    ],
    load: async () => (await import('./runs-verb.ts')).runsVerb,
  },
  {
    name: 'gc',
    summary: 'Drop cache objects that neither pipeline.lock nor a recent run refers to.',
    usage: 'gc [--max-size SIZE]',
    options: {
      'max-size': { type: 'string', value: 'SIZE', help: 'also trim the cache to SIZE (e.g. 2GiB, 500M)' },
      json,
    },
    examples: [
      'gc                               # drop unreferenced cache objects',
      'gc --max-size 2GiB               # and trim the cache to 2 GiB',
    ],
    load: async () => (await import('./gc-verb.ts')).gcVerb,
  },
];

/** Looks a verb up by name, in `table` (default: the engine's own verbs). */
export function findVerb(name: string, table: readonly VerbSpec[] = verbs): VerbSpec | undefined {
  return table.find((v) => v.name === name);
}
