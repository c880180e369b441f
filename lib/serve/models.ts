/**
 * The models a server answers with: registered versions of `models/registry.json`, loaded from
 * the registry's object store (never from `models/<name>/`, which the next run overwrites).
 * A version is copied out (digests checked) under `.pipeline/serve/<name>/v<N>/` on first use
 * and kept loaded; the registry is checked on each lookup, so a promotion or rollback is served
 * without a restart.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { type ServingCard, SERVING_JSON, readServing } from '../ml/artifacts/serving.ts';
import { loadModel } from '../ml/models/kinds.ts';
import { CONFIG_JSON, type Model } from '../ml/models/model.ts';
import { type ModelVersion, RegistryError, loadRegistry, materialise, registryFile, resolveVersion } from '../registry/index.ts';
import { Batcher, type BatcherOptions } from './batcher.ts';
import { HttpError } from './errors.ts';
import { type Handler, type Item, handlerFor } from './handlers.ts';

/** A loaded, servable version. */
export interface ServedVersion {
  name: string;
  version: ModelVersion;
  card: ServingCard;
  model: Model;
  handler: Handler;
  batcher: Batcher<Item, unknown>;
}

/** Where versions are copied out, relative to the root (git-ignored with all of .pipeline/). */
export const SERVE_DIR = '.pipeline/serve';

/** See the file comment. */
export class ServedModels {
  private readonly loaded = new Map<string, Promise<ServedVersion>>();
  /** The last registry read and the identity of the file it came from (see `registry`). */
  private cached: { identity: string; state: Promise<Awaited<ReturnType<typeof loadRegistry>>> } | undefined;
  private identityThisTurn: string | undefined;

  constructor(readonly root: string, private readonly batching: BatcherOptions) {}

  /**
   * The registry, with its errors as 500s (the server's own state is broken, not the request).
   * Re-read only when the file changed: a synchronous stat (inode, size, mtime in ns) costs
   * microseconds, while an asynchronous read per request put a thread-pool round trip between
   * a request's arrival and its place in the batch queue, which split concurrent requests into
   * many small batches. Registry writes replace the file by rename (a new inode), so every
   * promotion or rollback is seen by the next request.
   */
  registry(): Promise<Awaited<ReturnType<typeof loadRegistry>>> {
    const identity = this.registryIdentity();
    if (this.cached?.identity !== identity) {
      const state = loadRegistry(this.root).catch((e: unknown) => {
        if (this.cached?.state === state) this.cached = undefined; // retried on the next request
        throw new HttpError(500, e instanceof Error ? e.message : String(e));
      });
      this.cached = { identity, state };
    }
    return this.cached.state;
  }

  /**
   * The registry file's identity, stat'ed once per turn of the event loop: the requests that
   * arrive together (a batch's worth) share one stat, and a write by another process is seen
   * on the next turn, which no client can tell from "at once".
   */
  private registryIdentity(): string {
    if (this.identityThisTurn !== undefined) return this.identityThisTurn;
    let identity: string;
    try {
      const s = statSync(path.join(this.root, registryFile()), { bigint: true });
      identity = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch (e) {
      // Absent (an empty registry) or unreadable: loadRegistry says which; keep re-reading.
      identity = `error ${(e as NodeJS.ErrnoException).code ?? ''} ${performance.now()}`;
    }
    this.identityThisTurn = identity;
    setImmediate(() => (this.identityThisTurn = undefined));
    return identity;
  }

  /** Version `version` of `name` (production when absent), loaded; 404 when it does not exist. */
  async get(name: string, version?: number): Promise<ServedVersion> {
    const state = await this.registry();
    let v: ModelVersion;
    try {
      v = resolveVersion(state, version === undefined ? name : `${name}@${version}`).version;
    } catch (e) {
      if (e instanceof RegistryError) throw new HttpError(404, e.message);
      throw e;
    }
    const key = `${name}@${v.version}`;
    let p = this.loaded.get(key);
    if (!p) {
      p = this.load(name, v);
      this.loaded.set(key, p);
      // A failed load is not cached: the objects may be fetched and the request retried.
      p.catch(() => this.loaded.delete(key));
    }
    return p;
  }

  private async load(name: string, v: ModelVersion): Promise<ServedVersion> {
    const dir = path.join(this.root, SERVE_DIR, name, `v${v.version}`);
    const configs = v.files.filter((f) => path.posix.basename(f.path) === CONFIG_JSON && f.path.startsWith('models/'));
    if (configs.length !== 1) throw new HttpError(501, `Version ${v.version} of "${name}" has ${configs.length} saved models; a served version has exactly one.`);
    const modelDir = path.join(dir, path.posix.dirname(configs[0]!.path));
    if (!v.files.some((f) => f.path === path.posix.join(path.posix.dirname(configs[0]!.path), SERVING_JSON))) {
      throw new HttpError(501, `Version ${v.version} of "${name}" cannot be served: it has no ${SERVING_JSON} (its preprocessing); retrain it with this version of seqlab, or this model kind is not servable yet.`);
    }
    try {
      await materialise(this.root, name, v, dir);
    } catch (e) {
      if (e instanceof RegistryError) throw new HttpError(503, e.message);
      throw e;
    }
    const card = await readServing(modelDir);
    let model: Model;
    try {
      model = await loadModel(modelDir);
    } catch (e) {
      throw new HttpError(500, `Version ${v.version} of "${name}" does not load: ${(e as Error).message}`);
    }
    const handler = handlerFor(card, model);
    if (typeof handler === 'string') {
      model.dispose();
      throw new HttpError(501, `Version ${v.version} of "${name}" cannot be served: ${handler}.`);
    }
    const batcher = new Batcher<Item, unknown>((items) => handler.run(items), this.batching);
    return { name, version: v, card, model, handler, batcher };
  }

  /** Forward passes and instances of every loaded version's batcher, by `name@version`. */
  async batchStats(): Promise<Record<string, { passes: number; instances: number }>> {
    const out: Record<string, { passes: number; instances: number }> = {};
    for (const [key, p] of this.loaded) {
      const s = await p.catch(() => undefined);
      if (s) out[key] = { passes: s.batcher.passes, instances: s.batcher.instances };
    }
    return out;
  }

  /** Frees every loaded model's weights (graceful shutdown, tests). */
  async dispose(): Promise<void> {
    for (const p of this.loaded.values()) {
      const s = await p.catch(() => undefined);
      s?.model.dispose();
    }
    this.loaded.clear();
  }
}
