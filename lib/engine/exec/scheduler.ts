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
  const nodes = opts.nodes;
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  // Counts instead of rescans: each node waits for `waitingFor[i]` upstreams to succeed, and a
  // settled node visits only its own downstream, so a 500-stage run costs O(nodes + edges).
  const waitingFor = new Array<number>(nodes.length).fill(0);
  const down: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const u of new Set(n.upstream)) {
      const j = index.get(u);
      if (j === undefined) continue;
      down[j]!.push(i);
      waitingFor[i]!++;
    }
  });
  const outcome = new Map<string, NodeOutcome>();
  /** Not started and not yet skipped. */
  const open = new Set<number>(nodes.keys());
  /** Indices of open nodes whose upstreams all succeeded, ascending (= priority). */
  const ready: number[] = [];
  const makeReady = (i: number): void => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ready[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, i);
  };
  nodes.forEach((_, i) => {
    if (waitingFor[i] === 0) ready.push(i);
  });
  let running = 0;
  let exclusiveRunning = false;
  let stopped = false;
  let bug: { error: unknown } | undefined;
  let done = false;

  /** Marks every open node below `from` skipped: one of its upstreams will never succeed. */
  const skipBelow = (from: number): void => {
    const stack = [...down[from]!];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (!open.delete(i)) continue;
      outcome.set(nodes[i]!.name, 'skipped');
      const r = ready.indexOf(i);
      if (r >= 0) ready.splice(r, 1);
      stack.push(...down[i]!);
    }
  };

  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      stopped = true;
      pump();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (): void => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (bug !== undefined) reject(bug.error);
      else resolve(new Map(nodes.map((n) => [n.name, outcome.get(n.name) ?? 'skipped'])));
    };

    const start = (i: number): void => {
      const node = nodes[i]!;
      open.delete(i);
      running++;
      if (node.exclusive) exclusiveRunning = true;
      const settle = (ok: boolean): void => {
        running--;
        if (node.exclusive) exclusiveRunning = false;
        outcome.set(node.name, ok ? 'ok' : 'failed');
        if (!ok && opts.failFast) stopped = true;
        if (ok) {
          for (const d of down[i]!) if (--waitingFor[d]! === 0 && open.has(d)) makeReady(d);
        } else skipBelow(i);
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
      if (stopped) {
        for (const i of open) outcome.set(nodes[i]!.name, 'skipped');
        open.clear();
        ready.length = 0;
      }
      while (ready.length > 0 && !exclusiveRunning && running < jobs) {
        const i = ready[0]!;
        if (nodes[i]!.exclusive && running > 0) break; // barrier: wait for the running to drain
        ready.shift();
        start(i);
      }
      if (running === 0 && open.size > 0) {
        // Nothing runs and nothing can start: the upstream lists form a cycle (a caller bug).
        bug ??= { error: new Error(`runGraph: no node can start among ${[...open].map((i) => nodes[i]!.name).join(', ')}`) };
        for (const i of open) outcome.set(nodes[i]!.name, 'skipped');
        open.clear();
        ready.length = 0;
      }
      if (running === 0 && open.size === 0 && !done) {
        done = true;
        finish();
      }
    }

    pump();
  });
}
