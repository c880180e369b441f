/**
 * seqlab's command line: the engine's CLI plus the project's verbs. `bin/pipeline.js` runs this.
 */
import { main as engineMain } from '../engine/cli.ts';
import { processIo, type CliIo } from '../engine/cli/io.ts';
import { projectVerbs } from './verbs.ts';

/** Runs `pipeline` with `argv` (without `node` and the script); returns the exit code. */
export function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return engineMain(argv, io, { extraVerbs: projectVerbs });
}
