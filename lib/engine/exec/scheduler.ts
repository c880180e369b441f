/**
 * Runs a DAG of named tasks with bounded parallelism. Knows nothing about stages: the caller's
 * `run` does the work and says whether it succeeded.
 */

/** One node of the graph to run. */
export interface GraphNode {
  name: string;
  /** Names that must finish 'ok' first; names not among the graph's nodes are ignored. */
  upstream: string[];
  /** Run alone: starts only when nothing runs, and nothing starts while it runs. */
  exclusive: boolean;
}

/** Options of {@link runGraph}. */
export interface RunGraphOptions {
  /** In topological order; the order is also the priority among ready nodes. */
  nodes: GraphNode[];
  /** Most nodes running at once (values below 1 count as 1). */
  jobs: number;
  /** After the first failure start nothing new; running nodes finish, the rest are 'skipped'. */
  failFast: boolean;
  /** Does the work of one node; resolves true on success. */
  run: (name: string) => Promise<boolean>;
  /** When aborted, nothing new starts; running nodes finish (`run` should watch it too). */
  signal?: AbortSignal;
}

export type NodeOutcome = 'ok' | 'failed' | 'skipped';

/**
 * Runs every node whose upstream all succeeded, at most `jobs` at a time, highest priority
 * (earliest in `nodes`) first. A node with a failed or skipped upstream is 'skipped' and never
 * run. When the highest-priority ready node is exclusive, nothing else starts until it has
 * run: that keeps exclusive stages (heavy training) from being starved by a stream of small ones.
 *
 * A `run` that rejects is a bug in the caller, not a stage failure: its node counts as failed
 * so the graph settles (nothing is left running in the background), and then the first such
 * error is rethrown instead of returning the map.
 */
export async function runGraph(opts: RunGraphOptions): Promise<Map<string, NodeOutcome>> {
  const jobs = Math.max(1, Math.floor(opts.jobs) || 1);
  const inGraph = new Set(opts.nodes.map((n) => n.name));
  const outcome = new Map<string, NodeOutcome>();
  const pending = opts.nodes.map((n) => ({ ...n, upstream: n.upstream.filter((u) => inGraph.has(u)) }));
  const running = new Set<string>();
  let exclusiveRunning = false;
  let stopped = false;
  let bug: { error: unknown } | undefined;
  let done = false;

  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      stopped = true;
      pump();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (): void => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (bug !== undefined) reject(bug.error);
      else resolve(new Map(opts.nodes.map((n) => [n.name, outcome.get(n.name) ?? 'skipped'])));
    };

    const start = (node: GraphNode): void => {
      running.add(node.name);
      if (node.exclusive) exclusiveRunning = true;
      const settle = (ok: boolean): void => {
        running.delete(node.name);
        if (node.exclusive) exclusiveRunning = false;
        outcome.set(node.name, ok ? 'ok' : 'failed');
        if (!ok && opts.failFast) stopped = true;
        pump();
      };
      // Defer the call so that a synchronous throw inside `run` also lands in the catch.
      Promise.resolve()
        .then(() => opts.run(node.name))
        .then(
          (ok) => settle(ok === true),
          (error: unknown) => {
            bug ??= { error };
            settle(false);
          },
        );
    };

    function pump(): void {
      if (opts.signal?.aborted) stopped = true;
      // Propagate skips first so that a blocked node never holds up the exclusive barrier.
      let changed = true;
      while (changed) {
        changed = false;
        for (let i = 0; i < pending.length; i++) {
          const node = pending[i]!;
          const blocked = node.upstream.some((u) => {
            const o = outcome.get(u);
            return o === 'failed' || o === 'skipped';
          });
          if (blocked || stopped) {
            outcome.set(node.name, 'skipped');
            pending.splice(i--, 1);
            changed = true;
          }
        }
      }
      for (let i = 0; i < pending.length && !exclusiveRunning && running.size < jobs; i++) {
        const node = pending[i]!;
        if (!node.upstream.every((u) => outcome.get(u) === 'ok')) continue;
        if (node.exclusive && running.size > 0) break; // barrier: wait for the running to drain
        pending.splice(i--, 1);
        start(node);
      }
      if (running.size === 0 && pending.length > 0) {
        // Nothing runs and nothing can start: the upstream lists form a cycle (a caller bug).
        bug ??= { error: new Error(`runGraph: no node can start among ${pending.map((n) => n.name).join(', ')}`) };
        for (const n of pending.splice(0)) outcome.set(n.name, 'skipped');
      }
      if (running.size === 0 && pending.length === 0 && !done) {
        done = true;
        finish();
      }
    }

    pump();
  });
}
