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
      executor: { type: 'string', value: 'NAME', help: "local | slurm: where stages run (default: pipeline.yaml's executor, else local)" },
      json,
    },
    load: async () => (await import('./run-verb.ts')).runVerb,
  },
  {
    name: 'status',
    summary: 'Show per stage whether it is fresh, changed (and why), restorable from the cache, or never run.',
    usage: 'status [TARGET…] [options]',
    options: {
      set: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'override a param' },
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'apply a profile from pipeline.yaml' },
      json,
    },
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
    load: async () => (await import('./dag-verb.ts')).dagVerb,
  },
  {
    name: 'metrics',
    summary: "Show the stages' metrics (show), or compare them with a git revision (diff, default HEAD).",
    usage: 'metrics show|diff [REV] [options]',
    options: { json },
    load: async () => (await import('./metrics-verb.ts')).metricsVerb,
  },
  {
    name: 'params',
    summary: 'Compare the params with those at a git revision (default HEAD).',
    usage: 'params diff [REV] [options]',
    options: {
      profile: { type: 'string', short: 'p', value: 'NAME', help: 'apply a profile from pipeline.yaml' },
      json,
    },
    load: async () => (await import('./metrics-verb.ts')).paramsVerb,
  },
  {
    name: 'gc',
    summary: 'Drop cache objects that neither pipeline.lock nor a recent run refers to.',
    usage: 'gc [--max-size SIZE]',
    options: {
      'max-size': { type: 'string', value: 'SIZE', help: 'also trim the cache to SIZE (e.g. 2GiB, 500M)' },
      json,
    },
    load: async () => (await import('./gc-verb.ts')).gcVerb,
  },
];

/** Looks a verb up by name, in `table` (default: the engine's own verbs). */
export function findVerb(name: string, table: readonly VerbSpec[] = verbs): VerbSpec | undefined {
  return table.find((v) => v.name === name);
}
