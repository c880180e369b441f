import { describe, expect, it } from 'vitest';
import { runGraph } from '../../../lib/engine/exec/scheduler.ts';
import { sleep } from './helpers.ts';

type Node = { name: string; upstream: string[]; exclusive: boolean };
const node = (name: string, upstream: string[] = [], exclusive = false): Node => ({ name, upstream, exclusive });

/** Records each run's interval (start, end) on one clock. */
function recorder() {
  const spans = new Map<string, { start: number; end: number }>();
  let clock = 0;
  return {
    spans,
    async track(name: string, body: () => Promise<boolean>): Promise<boolean> {
      const span = { start: clock++, end: Infinity };
      spans.set(name, span);
      try {
        return await body();
      } finally {
        span.end = clock++;
      }
    },
  };
}
const overlap = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;

describe('runGraph', () => {
  it('runs a node only after its upstream finished', async () => {
    const r = recorder();
    const nodes = [node('a'), node('b', ['a']), node('c', ['b']), node('d', ['a', 'c'])];
    const out = await runGraph({
      nodes,
      jobs: 4,
      failFast: false,
      run: (n) => r.track(n, async () => (await sleep(5), true)),
    });
    expect([...out.values()]).toEqual(['ok', 'ok', 'ok', 'ok']);
    const s = (n: string) => r.spans.get(n)!;
    expect(s('b').start).toBeGreaterThan(s('a').end);
    expect(s('c').start).toBeGreaterThan(s('b').end);
    expect(s('d').start).toBeGreaterThan(s('c').end);
  });

  it('overlaps independent nodes under jobs 2 and never runs more than 2', async () => {
    const r = recorder();
    let running = 0;
    let most = 0;
    const started = new Set<string>();
    const out = await runGraph({
      nodes: [node('a'), node('b'), node('c')],
      jobs: 2,
      failFast: false,
      run: (n) =>
        r.track(n, async () => {
          started.add(n);
          most = Math.max(most, ++running);
          // a waits for b to start: only true parallelism lets both be in flight.
          if (n === 'a') for (let i = 0; i < 200 && !started.has('b'); i++) await sleep(5);
          await sleep(10);
          running--;
          return true;
        }),
    });
    expect([...out.values()]).toEqual(['ok', 'ok', 'ok']);
    expect(overlap(r.spans.get('a')!, r.spans.get('b')!)).toBe(true);
    expect(most).toBe(2);
  });

  it('runs an exclusive node alone', async () => {
    const r = recorder();
    const nodes = [node('a'), node('b'), node('x', [], true), node('c'), node('d')];
    const out = await runGraph({
      nodes,
      jobs: 4,
      failFast: false,
      run: (n) => r.track(n, async () => (await sleep(10), true)),
    });
    expect([...out.values()].every((v) => v === 'ok')).toBe(true);
    const x = r.spans.get('x')!;
    for (const n of ['a', 'b', 'c', 'd']) expect(overlap(x, r.spans.get(n)!)).toBe(false);
    // The others do run in parallel, so the assertion above is not trivially true.
    expect(overlap(r.spans.get('a')!, r.spans.get('b')!)).toBe(true);
    expect(overlap(r.spans.get('c')!, r.spans.get('d')!)).toBe(true);
  });

  it('skips the dependents of a failure and finishes the independent branch', async () => {
    const ran: string[] = [];
    const nodes = [node('a'), node('b', ['a']), node('c', ['b']), node('d'), node('e', ['d'])];
    const out = await runGraph({
      nodes,
      jobs: 2,
      failFast: false,
      run: async (n) => (ran.push(n), n !== 'a'),
    });
    expect(Object.fromEntries(out)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', d: 'ok', e: 'ok' });
    expect(ran.sort()).toEqual(['a', 'd', 'e']);
  });

  it('with failFast starts nothing after a failure but lets running nodes finish', async () => {
    let aSettled = false;
    const ran: string[] = [];
    const out = await runGraph({
      nodes: [node('a'), node('b'), node('c'), node('d')],
      jobs: 2,
      failFast: true,
      run: async (n) => {
        ran.push(n);
        if (n === 'a') return (aSettled = true), false;
        while (!aSettled) await sleep(2);
        await sleep(5);
        return true;
      },
    });
    expect(Object.fromEntries(out)).toEqual({ a: 'failed', b: 'ok', c: 'skipped', d: 'skipped' });
    expect(ran).toEqual(['a', 'b']);
  });

  it('starts nothing new once aborted', async () => {
    const ac = new AbortController();
    const ran: string[] = [];
    const out = await runGraph({
      nodes: [node('a'), node('b'), node('c', ['a'])],
      jobs: 1,
      failFast: false,
      signal: ac.signal,
      run: async (n) => (ran.push(n), ac.abort(), true),
    });
    expect(Object.fromEntries(out)).toEqual({ a: 'ok', b: 'skipped', c: 'skipped' });
    expect(ran).toEqual(['a']);
  });

  it('rethrows a rejecting run after the graph settled', async () => {
    const ran: string[] = [];
    const finished: string[] = [];
    const bug = new Error('bug in run');
    const p = runGraph({
      nodes: [node('a'), node('b', ['a']), node('c')],
      jobs: 2,
      failFast: false,
      run: async (n) => {
        ran.push(n);
        if (n === 'a') throw bug;
        await sleep(10);
        finished.push(n);
        return true;
      },
    });
    await expect(p).rejects.toBe(bug);
    expect(ran.sort()).toEqual(['a', 'c']);
    expect(finished).toEqual(['c']); // settled before rethrowing
  });
});
