/**
 * Batches concurrent requests into one forward pass, as TF Serving's batching does. A request
 * adds its instances to the queue; the queue is flushed when it holds `maxBatch` instances or
 * `maxDelayMs` after its first one (0: on the next turn of the event loop).
 * `enabled: false` is "off": each request is its own pass.
 *
 * Why a window of 1 ms by default rather than the next turn: under a steady load the clients
 * answered by one pass send their next requests while the following pass has already started
 * with only the requests that arrived during the previous one, so batches alternate between
 * two halves of the clients (mean batch 15–21 at 32 connections). Waiting 1 ms lets the
 * answered clients' requests join (mean batch 22–25), and a pass costs less per instance the
 * larger it is (a 64-unit translator: ~0.6 ms per instance at 16, ~0.35 at 32); 1 ms adds at
 * most 1 ms to a lone request's latency (a pass alone takes 3–5 ms). Measured with
 * `pnpm bench:serve` on a shared 2-core machine; see docs/serving.md.
 */

/** Runs one pass over `items`; returns one result per item, in order. */
export type BatchFn<I, O> = (items: readonly I[]) => O[];

interface Pending<I, O> {
  items: readonly I[];
  resolve: (out: O[]) => void;
  reject: (e: unknown) => void;
}

/** Options of a `Batcher`. */
export interface BatcherOptions {
  enabled: boolean;
  maxBatch: number;
  maxDelayMs: number;
}

/** The server's defaults (`pnpm serve --max-batch/--max-delay-ms` change them); see the file comment. */
export const DEFAULT_BATCHING: BatcherOptions = { enabled: true, maxBatch: 256, maxDelayMs: 1 };

/** See the file comment. */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Forward passes run so far (the tests check that concurrent requests share one). */
  passes = 0;
  /** Instances run so far: with `passes`, the mean batch size (`GET /v1/debug/memory`). */
  instances = 0;

  constructor(private readonly run: BatchFn<I, O>, private readonly opts: BatcherOptions) {}

  /** The results for `items`, computed together with whatever else is queued. */
  submit(items: readonly I[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued += items.length;
      if (!this.opts.enabled || this.queued >= this.opts.maxBatch) this.flush();
      else if (this.timer === undefined) {
        this.timer = this.opts.maxDelayMs > 0 ? setTimeout(() => this.flush(), this.opts.maxDelayMs) : setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    const batch = this.queue;
    this.queue = [];
    this.queued = 0;
    if (batch.length === 0) return;
    this.passes++;
    const items = batch.length === 1 ? batch[0]!.items : batch.flatMap((p) => p.items);
    this.instances += items.length;
    let out: O[];
    try {
      out = this.run(items);
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    let at = 0;
    for (const p of batch) {
      p.resolve(out.slice(at, at + p.items.length));
      at += p.items.length;
    }
  }
}
