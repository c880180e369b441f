import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deriveSeed, rng, SeededDropout, seededDropoutFunc, seededInit, xoshiro128ss,
} from '../../../lib/ml/random.ts';
import type { InitKind } from '../../../lib/ml/random.ts';
import { useBackend } from '../helpers.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const draw = (seed: number, n: number) => Array.from({ length: n }, rng(seed).next);

describe('rng', () => {
  it('repeats its stream for a seed and differs between seeds', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50));
    expect(draw(42, 50)).not.toEqual(draw(43, 50));
    expect(draw(0, 5)).not.toEqual(draw(2 ** 32, 5));
  });

  it('xoshiro128** reproduces the reference outputs for state [1, 2, 3, 4]', () => {
    const next = xoshiro128ss(Uint32Array.from([1, 2, 3, 4]));
    expect(Array.from({ length: 7 }, next)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034]);
  });

  it('is pinned: the stream of seed 42 never changes across releases', () => {
    // Changing the seeding would silently change every dataset and metric; fail loudly instead.
    const r = rng(42);
    expect([r.seed(), r.seed(), r.seed()]).toEqual([2837322924, 544945897, 479756282]);
  });

  it('draws uniforms in range with the right mean', () => {
    const r = rng(7);
    const xs = Array.from({ length: 20000 }, () => r.uniform(-2, 3));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...xs)).toBeLessThan(3);
    expect(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 0.5)).toBeLessThan(0.05);
  });

  it('draws normals with the right mean and standard deviation', () => {
    const r = rng(8);
    const xs = Array.from({ length: 20000 }, () => r.normal(1, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(sd - 2)).toBeLessThan(0.05);
  });

  it('draws every integer of [lo, hi) and nothing else', () => {
    const r = rng(9);
    const seen = new Set(Array.from({ length: 2000 }, () => r.int(-3, 4)));
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(() => r.int(2, 2)).toThrow(RangeError);
    expect(() => rng(1.5)).toThrow(RangeError);
  });

  it('shuffles in place into a seed-determined permutation', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const same = rng(5).shuffle(a);
    expect(same).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(rng(5).shuffle(Array.from({ length: 100 }, (_, i) => i))).toEqual(a);
    expect(rng(6).shuffle(Array.from({ length: 100 }, (_, i) => i))).not.toEqual(a);
  });

  it('shuffles a typed array in place into the same permutation as an array', () => {
    const typed = Int32Array.from({ length: 100 }, (_, i) => i);
    expect(rng(5).shuffle(typed)).toBe(typed);
    expect(Array.from(typed)).toEqual(rng(5).shuffle(Array.from({ length: 100 }, (_, i) => i)));
  });

  it('shuffles uniformly: each of the 6 orders of 3 items about equally often', () => {
    const r = rng(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const k = r.shuffle(['a', 'b', 'c']).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});

describe('deriveSeed', () => {
  it('gives distinct child seeds that depend on the parent and are not its own stream', () => {
    const five = Array.from({ length: 5 }, (_, i) => deriveSeed(42, `init/${i}`));
    expect(new Set(five).size).toBe(5);
    expect(Array.from({ length: 5 }, (_, i) => deriveSeed(43, `init/${i}`))).not.toEqual(five);
    const r = rng(42);
    expect(five).not.toContain(r.seed());
    for (const x of five) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });

  it('child streams look independent (low correlation)', () => {
    const [a, b] = [deriveSeed(1, 'data/a'), deriveSeed(1, 'data/b')];
    const xs = draw(a, 5000);
    const ys = draw(b, 5000);
    const m = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const mx = m(xs);
    const my = m(ys);
    let cov = 0;
    let vx = 0;
    let vy = 0;
    xs.forEach((x, i) => {
      cov += (x - mx) * (ys[i]! - my);
      vx += (x - mx) ** 2;
      vy += (ys[i]! - my) ** 2;
    });
    expect(Math.abs(cov / Math.sqrt(vx * vy))).toBeLessThan(0.05);
  });

  it('derives stable, name-specific seeds', () => {
    expect(deriveSeed(42, 'init/encoder')).toBe(deriveSeed(42, 'init/encoder'));
    expect(deriveSeed(42, 'init/encoder')).not.toBe(deriveSeed(42, 'init/decoder'));
    expect(deriveSeed(42, 'x')).not.toBe(deriveSeed(43, 'x'));
  });
});

describe('seededInit', () => {
  const kinds: InitKind[] = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'leCunUniform', 'leCunNormal',
    'orthogonal', 'randomUniform', 'randomNormal', 'truncatedNormal'];
  it.each(kinds)('%s: same seed, same weights; other seed, other weights', async (kind) => {
    const make = (seed: number) => tf.tidy(() => seededInit(kind, seed).apply([6, 4]));
    const [a, b, c] = [make(3), make(3), make(4)];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await c.data()));
    tf.dispose([a, b, c]);
  });
});

describe('seeded dropout', () => {
  it('seededDropoutFunc: new mask per call, same sequence per seed', async () => {
    const masks = async (seed: number) => {
      const f = seededDropoutFunc(seed);
      const out: number[][] = [];
      for (let i = 0; i < 2; i++) {
        const t = tf.tidy(() => f(tf.ones([50]), 0.5));
        out.push(Array.from(await t.data()));
        t.dispose();
      }
      return out;
    };
    const [m1, m2] = await masks(1);
    expect(m1).not.toEqual(m2);
    expect(await masks(1)).toEqual([m1, m2]);
    expect((await masks(2))[0]).not.toEqual(m1);
  });

  it('SeededDropout: drops only in training, reproducibly, and serialises', async () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 9 });
    const x = tf.ones([4, 20]);
    const run = async (training: boolean) => {
      const t = layer.apply(x, { training }) as tf.Tensor;
      const v = Array.from(await t.data());
      t.dispose();
      return v;
    };
    expect(await run(false)).toEqual(Array(80).fill(1));
    const a = await run(true);
    const b = await run(true);
    expect(a).not.toEqual(b);
    expect(a.filter((v) => v === 0).length).toBeGreaterThan(10);
    layer.resetSeed();
    expect(await run(true)).toEqual(a);
    const copy = SeededDropout.fromConfig(SeededDropout, layer.getConfig()) as SeededDropout;
    expect([copy.rate, copy.seed]).toEqual([0.5, 9]);
    x.dispose();
  });
});
