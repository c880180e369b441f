/**
 * seqlab's own verbs, added to the engine's CLI (the engine knows no project): `models` (the
 * model registry), `history` (the run history as plots) and `verify` (the paper's numbers). Handlers are imported only when called,
 * so neither the registry nor the report code loads for `pipeline run`.
 */
import type { VerbSpec } from '../engine/cli/verb.ts';
import { json } from '../engine/cli/verbs.ts';

/** The verbs `bin/pipeline.js` adds to the engine's. */
export const projectVerbs: VerbSpec[] = [
  {
    name: 'models',
    summary: 'The model registry: list versions, copy one out, promote one to production by hand, or roll production back.',
    usage: 'models list | models get NAME[@VERSION|@production] --to DIR | models promote NAME VERSION [--force] | models rollback NAME',
    details: 'State in models/registry.json; every promotion and rollback is appended to models/registry-log.jsonl. A version\'s files are kept in .pipeline/cache/objects (content-addressed; pipeline gc keeps them); `get` copies them out and checks their digests. NAME alone means its production version.',
    options: {
      force: { type: 'boolean', help: 'promote a version that failed its gate' },
      to: { type: 'string', value: 'DIR', help: 'where `models get` writes the files (their project-relative paths below DIR)' },
      json,
    },
    examples: [
      'models list                      # versions, gates and production aliases',
      'models promote ex1 3               # make v3 of ex1 production',
      'models rollback ex1               # back to the previous production version',
    ],
    load: async () => (await import('./models-verb.ts')).modelsVerb,
  },
  {
    name: 'history',
    summary: 'Write reports/history.html: key metrics across the recorded runs, one plot per metric.',
    usage: 'history [--out FILE]',
    details: 'Kept apart from reports/index.html, which is a cached stage out and must not change between runs of the same inputs.',
    options: {
      out: { type: 'string', short: 'o', value: 'FILE', help: 'where to write the page (default reports/history.html)' },
      json,
    },
    examples: ['history                          # then open reports/history.html'],
    load: async () => (await import('./history-verb.ts')).historyVerb,
  },
  {
    name: 'verify',
    summary: 'Check that the numbers the paper states (paper/generated/numbers.tex) match the current metrics.',
    usage: 'verify [--json]',
    options: { json },
    examples: ['verify                           # exit 1 if a number in the paper is stale'],
    load: async () => (await import('./verify-verb.ts')).verifyVerb,
  },
];
