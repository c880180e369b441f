/**
 * The HTTP server (node:http, TF Serving's REST conventions):
 *   GET  /v1/models                               every registered model and its production version
 *   GET  /v1/models/NAME[/versions/N]             versions, metrics, input/output description
 *   POST /v1/models/NAME[/versions/N]:predict     {"instances": [...], "attention"?: true} → {"predictions": [...]}
 *   GET  /openapi.json                            the API as OpenAPI 3
 *   GET  /                                        the page (page.ts)
 *   GET  /v1/debug/memory                         with `debug` only: RSS, live tensors, batch counts
 * Errors are `{"error": reason}` with 400 (bad JSON, types, empty/oversize instances, characters
 * outside the vocabulary), 404 (unknown model, version or path), 413 (body over the limit), 405.
 * Every request writes one log line. Nothing a client sends may throw past `handle`.
 */
import * as tf from '@tensorflow/tfjs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from './errors.ts';
import type { ServedModels } from './models.ts';
import { openApi } from './openapi.ts';
import { PAGE_HTML } from './page.ts';

/** Options of `startServer`. */
export interface ServerOptions {
  port: number;
  host: string;
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Most instances in one request. */
  maxInstances: number;
  /** Where the per-request log line goes. */
  log: (line: string) => void;
  /**
   * Answer `GET /v1/debug/memory` (the load test's before/after check). Off by default: it
   * tells any client how busy and how large the process is, which a server need not.
   */
  debug: boolean;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  port: 8501, host: '127.0.0.1', maxBodyBytes: 1 << 20, maxInstances: 256, log: (l) => process.stderr.write(`${l}\n`), debug: false,
};

/** A running server. */
export interface RunningServer {
  server: Server;
  /** `http://host:port`. */
  url: string;
  /** Stops accepting, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `The body is ${declared} bytes; the limit is ${limit}.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `The body is over the limit of ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const PREDICT = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+))?:predict$/;
const DESCRIBE = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+))?$/;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? `${JSON.stringify(body)}\n` : String(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `The model name in the path is not valid percent-encoding.`);
  }
}

async function predict(models: ServedModels, opts: ServerOptions, req: IncomingMessage, name: string, version: number | undefined): Promise<{ body: unknown; n: number }> {
  const text = await readBody(req, opts.maxBodyBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `The body is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'The body must be a JSON object {"instances": [...]}.');
  const { instances, attention } = body as { instances?: unknown; attention?: unknown };
  if (!Array.isArray(instances)) throw new HttpError(400, '"instances" must be a list.');
  if (instances.length === 0) throw new HttpError(400, '"instances" is empty.');
  if (instances.length > opts.maxInstances) throw new HttpError(400, `"instances" has ${instances.length} items; the limit is ${opts.maxInstances}.`);
  if (attention !== undefined && typeof attention !== 'boolean') throw new HttpError(400, '"attention" must be true or false.');
  const served = await models.get(name, version);
  if (attention === true && !served.handler.attention) throw new HttpError(400, `Model "${name}" has no attention weights to return; leave "attention" out.`);
  const inputs = instances.map((x, i) => ({ input: served.handler.encode(x, i), attention: attention === true }));
  const predictions = await served.batcher.submit(inputs);
  const shaped = attention === true ? predictions : predictions.map((p) => served.handler.plain(p));
  return { body: { model: name, version: served.version.version, predictions: shaped }, n: instances.length };
}

async function describe(models: ServedModels, name: string, version: number | undefined): Promise<unknown> {
  const state = await models.registry();
  const entry = state.models[name];
  if (!entry) throw new HttpError(404, `Model "${name}" is not registered (registered: ${Object.keys(state.models).sort().join(', ') || 'none'}).`);
  const versions = entry.versions.filter((v) => version === undefined || v.version === version);
  if (versions.length === 0) throw new HttpError(404, `Model "${name}" has no version ${version}.`);
  let io: { input: string; output: string } | undefined;
  try {
    const served = await models.get(name, version);
    io = { input: served.card.input, output: served.card.output };
  } catch {
    io = undefined; // described without it: the version may be unservable here
  }
  return {
    name, production: entry.production ?? null, ...(io ? { signature: io } : {}),
    model_version_status: versions.map((v) => ({
      version: String(v.version), state: v.version === entry.production ? 'AVAILABLE' : 'REGISTERED',
      member: v.member ?? name, stage: v.stage ?? null, metrics: v.metrics, registered_at: v.registeredAt,
    })),
  };
}

/** Routes one request; returns the status and how many instances it held, for the log line. */
async function handle(models: ServedModels, opts: ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<{ status: number; n: number }> {
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname;
  const method = req.method ?? 'GET';
  const predictMatch = PREDICT.exec(p);
  if (predictMatch) {
    if (method !== 'POST') throw new HttpError(405, 'Predict takes POST.');
    const { body, n } = await predict(models, opts, req, decodeName(predictMatch[1]!), predictMatch[2] ? Number(predictMatch[2]) : undefined);
    send(res, 200, body);
    return { status: 200, n };
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} ${p} is not allowed; only predict takes POST.`);
  if (p === '/') {
    send(res, 200, PAGE_HTML, 'text/html');
    return { status: 200, n: 0 };
  }
  if (p === '/openapi.json') {
    send(res, 200, openApi(Object.keys((await models.registry()).models).sort()));
    return { status: 200, n: 0 };
  }
  if (p === '/v1/models') {
    const state = await models.registry();
    send(res, 200, {
      models: Object.keys(state.models).sort().map((name) => {
        const e = state.models[name]!;
        const prod = e.versions.find((v) => v.version === e.production);
        return { name, production: e.production ?? null, versions: e.versions.map((v) => v.version), member: prod?.member ?? null, metrics: prod?.metrics ?? null };
      }),
    });
    return { status: 200, n: 0 };
  }
  if (p === '/v1/debug/memory' && opts.debug) {
    const { rss, heapUsed } = process.memoryUsage();
    const { numTensors, numBytes } = tf.memory();
    send(res, 200, { rss_bytes: rss, heap_used_bytes: heapUsed, num_tensors: numTensors, tensor_bytes: numBytes, batches: await models.batchStats() });
    return { status: 200, n: 0 };
  }
  const describeMatch = DESCRIBE.exec(p);
  if (describeMatch) {
    send(res, 200, await describe(models, decodeName(describeMatch[1]!), describeMatch[2] ? Number(describeMatch[2]) : undefined));
    return { status: 200, n: 0 };
  }
  throw new HttpError(404, `No such path: ${p}.`);
}

/** Starts serving `models`; resolves once listening. */
export async function startServer(models: ServedModels, options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const opts = { ...DEFAULT_SERVER_OPTIONS, ...options };
  const server = createServer((req, res) => {
    const start = performance.now();
    const done = (status: number, n: number): void => {
      opts.log(`${new Date().toISOString()} ${req.method} ${req.url} ${status} ${(performance.now() - start).toFixed(1)}ms instances=${n}`);
    };
    handle(models, opts, req, res).then(
      ({ status, n }) => done(status, n),
      (e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500;
        const message = e instanceof HttpError ? e.message : `Internal error: ${e instanceof Error ? e.message : String(e)}`;
        if (!res.headersSent) {
          // An oversize body is not read to its end: close the connection rather than drain it.
          if (status === 413) res.setHeader('connection', 'close');
          send(res, status, { error: message });
        } else res.destroy();
        done(status, 0);
      },
    );
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
