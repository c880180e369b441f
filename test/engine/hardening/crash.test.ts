/**
 * The randomized crash test of issue 10 in small (bench/crash-test.ts runs it with N = 200):
 * the runner SIGKILLed at seeded random instants, each time followed by a completing run that
 * must match an uninterrupted one, with a consistent lock and cache and no temporary litter.
 */
import { describe, expect, it } from 'vitest';
import { crashTest } from '../../../bench/lib/crash.ts';

describe('randomized crash test', () => {
  it('survives 6 SIGKILLs of the runner at seeded random instants', async () => {
    const r = await crashTest({ n: 6, seed: 11 });
    expect(r.failures).toEqual([]);
    expect(r.kills).toBe(6);
  }, 300_000);
});
