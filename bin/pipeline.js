#!/usr/bin/env node
// Thin entry: register the TypeScript loader, then hand over to the CLI.
// Works from any directory (`node /path/to/bin/pipeline.js -C DIR run`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/engine/cli.ts');
process.exitCode = await main(process.argv.slice(2));
