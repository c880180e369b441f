/**
 * `pnpm serve [--port N] [--host H] [--root DIR] [--no-batching] [--max-batch N] [--max-delay-ms N] [--debug]`:
 * serves the registered models of the project (production versions; a version is pinned per
 * request with `/v1/models/NAME/versions/N:predict`). Listens on 127.0.0.1 unless told otherwise.
 * `--debug` adds `GET /v1/debug/memory` (RSS, live tensors, batches run: the load test's check).
 * SIGINT/SIGTERM stop accepting, finish the requests in flight, free the models and exit 0.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../ml/backend.ts';
import { DEFAULT_BATCHING } from './batcher.ts';
import { startServer } from './http.ts';
import { ServedModels } from './models.ts';

function intOption(text: string | undefined, name: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`serve: --${name} must be an integer ≥ ${min}, got "${text}".\n`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string' }, root: { type: 'string' },
    'no-batching': { type: 'boolean' }, 'max-batch': { type: 'string' }, 'max-delay-ms': { type: 'string' }, debug: { type: 'boolean' },
  },
  strict: true,
});
const root = path.resolve(values.root ?? process.cwd());
await initBackend({});
const models = new ServedModels(root, {
  enabled: !values['no-batching'],
  maxBatch: intOption(values['max-batch'], 'max-batch', DEFAULT_BATCHING.maxBatch, 1),
  maxDelayMs: intOption(values['max-delay-ms'], 'max-delay-ms', DEFAULT_BATCHING.maxDelayMs, 0),
});
const running = await startServer(models, { port: intOption(values.port, 'port', 8501, 0), host: values.host ?? '127.0.0.1', debug: values.debug === true });
process.stderr.write(`serving ${path.join(root, 'models/registry.json')} at ${running.url}\n`);
// Tests and scripts read the bound port (for --port 0) from this line on stdout.
process.stdout.write(`listening ${running.url}\n`);

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) process.exit(130); // a second signal: the user wants out now
  stopping = true;
  process.stderr.write(`${signal}: finishing requests in flight…\n`);
  await running.close();
  await models.dispose();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
