import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backendInfo, initBackend } from '../../../lib/ml/backend.ts';
import { useBackend } from '../helpers.ts';

const savedEnv = process.env.SEQLAB_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.SEQLAB_BACKEND;
  else process.env.SEQLAB_BACKEND = savedEnv;
});
afterAll(async () => {
  await useBackend('wasm');
});

describe('initBackend', () => {
  it('selects cpu on request, logs it once and records it for metric files', async () => {
    const lines: string[] = [];
    const info = await initBackend({ backend: 'cpu', log: (m) => lines.push(m) });
    expect(info).toEqual({ name: 'cpu', version: tf.version.tfjs, package: '@tensorflow/tfjs-backend-cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(backendInfo()).toEqual(info);
    expect(lines).toEqual([`tfjs backend: cpu (@tensorflow/tfjs-backend-cpu@${tf.version.tfjs})`]);
  });

  it('keeps the old initBackend(name) form, and wasm comes with the extra kernels', async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.package).toBe('@tensorflow/tfjs-backend-wasm');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('follows SEQLAB_BACKEND when no backend is given; the option wins over it', async () => {
    process.env.SEQLAB_BACKEND = 'cpu';
    expect((await initBackend({ log: () => {} })).name).toBe('cpu');
    expect((await initBackend({ backend: 'wasm', log: () => {} })).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown SEQLAB_BACKEND or option with the allowed names', async () => {
    process.env.SEQLAB_BACKEND = 'gpu';
    await expect(initBackend({ log: () => {} })).rejects.toThrow('SEQLAB_BACKEND="gpu" is not one of auto, tensorflow, wasm, cpu');
    const bad = 'webgpu' as unknown as 'cpu';
    await expect(initBackend({ backend: bad, log: () => {} })).rejects.toThrow('backend "webgpu" is not one of auto, tensorflow, wasm, cpu');
  });

  it('backendInfo refuses to report a backend that tf.setBackend changed behind its back', async () => {
    await initBackend({ backend: 'wasm', log: () => {} });
    await tf.setBackend('cpu');
    expect(() => backendInfo()).toThrow(/runs on "cpu" but initBackend chose "wasm"/);
    await initBackend({ backend: 'wasm', log: () => {} });
    expect(backendInfo().name).toBe('wasm');
  });

  it("'tensorflow' uses tfjs-node(-gpu) when its binding loads, else says why each failed", async () => {
    const result = await initBackend({ backend: 'tensorflow', log: () => {} }).then(
      (info) => ({ ok: true as const, info }),
      (err: unknown) => ({ ok: false as const, message: String(err) }),
    );
    if (result.ok) {
      expect(result.info.name).toBe('tensorflow');
      expect(result.info.package).toMatch(/^@tensorflow\/tfjs-node(-gpu)?$/);
    } else {
      expect(result.message).toContain('@tensorflow/tfjs-node-gpu:');
      expect(result.message).toContain('@tensorflow/tfjs-node:');
    }
  });

  it("'auto' prefers a native backend, else wasm — never cpu while wasm works", async () => {
    const lines: string[] = [];
    const info = await initBackend({ backend: 'auto', log: (m) => lines.push(m) });
    expect(['tensorflow', 'wasm']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.name);
    expect(lines).toHaveLength(1);
  });
});
