// Serving exercise 3's video model over real loopback HTTP: a freshly constructed
// TemporalLatentModel, saved with its serving.json into a temp project and registered as
// `video`, answers clips with frames of the same nesting (as the model does by hand), refuses
// malformed clips with a 400 naming the place, and leaves no tensor behind.
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VideoServing, writeMetrics, writeServing } from '../../lib/ml/artifacts/index.ts';
import { TemporalLatentModel } from '../../lib/ml/models/temporal-latent.ts';
import { DEFAULT_BATCHING } from '../../lib/serve/batcher.ts';
import { type RunningServer, startServer } from '../../lib/serve/http.ts';
import { ServedModels } from '../../lib/serve/models.ts';
import { type ClipModel, encodeClip, predictClips } from '../../lib/serve/video.ts';
import { tempDir } from '../experiments/helpers.ts';
import { useBackend } from '../ml/helpers.ts';
import { register } from './helpers.ts';

const FRAMES = 4;
/** Frames the model predicts after the FRAMES context frames. */
const OUT = 3;
const SIZE = 4;
let root: string;
let models: ServedModels;
let server: RunningServer;
let reference: TemporalLatentModel;

beforeAll(async () => {
  await useBackend();
  root = await tempDir('serve-video');
  const member = 'ex3-full';
  const modelDir = path.join(root, 'models', member);
  reference = new TemporalLatentModel({
    variant: 'full', pixels: SIZE * SIZE, frameUnits: 8, modelDim: 8, latentDim: 4, lstmUnits: 4, heads: 2, memorySlots: 2,
    segmentLength: 2, transformerNorm: 'post', dropout: 0, motionKernels: 1, motionRadius: 1, contextFrames: FRAMES, futureFrames: OUT,
    learningRate: 0.01, clipNorm: 5, seed: 3,
  });
  await reference.save(modelDir);
  await writeServing(modelDir, {
    kind: 'video-frames', model: member, inputFrames: FRAMES, outputFrames: OUT, height: SIZE, width: SIZE,
    input: `a clip: ${FRAMES} frames × ${SIZE} rows × ${SIZE} columns of pixel intensities in [0, 1]`, output: `the ${OUT} frames that follow it`,
  });
  await mkdir(path.join(root, 'reports', member), { recursive: true });
  await writeMetrics(path.join(root, 'reports', member, 'metrics.json'), { model: member, task: 'regression', test_mse: 0.1 });
  await register(root, 'fp-video', member, 'video');
  models = new ServedModels(root, DEFAULT_BATCHING);
  server = await startServer(models, { port: 0, log: () => {} });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await models?.dispose();
  reference?.dispose();
});

const clip = (seed: number): number[][][] =>
  Array.from({ length: FRAMES }, (_, f) => Array.from({ length: SIZE }, (_, r) => Array.from({ length: SIZE }, (_, c) => ((seed + f * 7 + r * 3 + c) % 10) / 9)));

async function post(body: unknown, raw = false): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/v1/models/video:predict`, { method: 'POST', body: raw ? (body as string) : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the video model', () => {
  it('is described with what a clip is, in GET /v1/models/video and the OpenAPI document', async () => {
    const one = (await (await fetch(`${server.url}/v1/models/video`)).json()) as { signature: { input: string } };
    expect(one.signature.input).toBe(`a clip: ${FRAMES} frames × ${SIZE} rows × ${SIZE} columns of pixel intensities in [0, 1]`);
    const api = JSON.stringify(await (await fetch(`${server.url}/openapi.json`)).json());
    expect(api).toContain('frames × rows × columns of pixel intensities in [0, 1] (video)');
  });

  it('answers each clip with frames × rows × columns in [0, 1], as the model does by hand', async () => {
    const clips = [clip(1), clip(5)];
    const r = await post({ instances: clips });
    expect(r.status).toBe(200);
    const got = r.json.predictions as number[][][][];
    const x = tf.tensor3d(clips.map((c) => c.map((f) => f.flat())));
    const want = reference.predict(x);
    x.dispose();
    expect(got.map((c) => [c.length, c[0]!.length, c[0]![0]!.length])).toEqual([[OUT, SIZE, SIZE], [OUT, SIZE, SIZE]]);
    got.flat(3).forEach((v, k) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(v).toBeCloseTo(want[k]!, 3);
    });
  });

  it('refuses malformed clips with a 400 naming the place, and keeps serving', async () => {
    const bad = (edit: (c: unknown[][][]) => unknown): unknown => edit(clip(2));
    const cases: [unknown, boolean, RegExp][] = [
      [{ instances: ['a clip'] }, false, /instances\[0\] must be a list of 4 frames, got string/],
      [{ instances: [bad((c) => c.slice(1))] }, false, /instances\[0\] has 3 frames; the model reads exactly 4 \(a clip is 4 frames × 4 rows × 4 columns\)/],
      [{ instances: [bad((c) => { c[1] = c[1]!.slice(1); return c; })] }, false, /instances\[0\]\[1\] has 3 rows/],
      [{ instances: [clip(1), bad((c) => { c[0]![2]!.push(0.5); return c; })] }, false, /instances\[1\]\[0\]\[2\] has 5 pixels/],
      [{ instances: [bad((c) => { c[3]![0]![1] = 1.5; return c; })] }, false, /instances\[0\]\[3\]\[0\]\[1\] must be a pixel intensity in \[0, 1\], got 1\.5/],
      [{ instances: [bad((c) => { c[0]![0]![0] = -0.1; return c; })] }, false, /got -0\.1/],
      [{ instances: [bad((c) => { c[0]![0]![0] = '0.5'; return c; })] }, false, /\[0\]\[0\]\[0\] must be a pixel intensity .*got string/],
      [{ instances: [bad((c) => { c[0]![0]![0] = null; return c; })] }, false, /got null/],
      [JSON.stringify({ instances: [clip(2)] }).replace('[[[0.', '[[[1e999,0.').replace(/,0\.\d+\]/, ']'), true, /must be a pixel intensity in \[0, 1\], got Infinity/],
      [{ instances: [clip(2)], attention: true }, false, /has no attention weights to return/],
    ];
    for (const [body, raw, reason] of cases) {
      const r = await post(body, raw);
      expect([r.status, r.json.error], String(reason)).toEqual([400, expect.stringMatching(reason)]);
    }
    expect((await post({ instances: [clip(3)] })).status).toBe(200);
  });

  it('takes its frame counts from serving.json: context frames in, future frames out', () => {
    // Persistence, the baseline of frame prediction: every future frame is the last context frame.
    const persistence = (outputFrames: number): ClipModel => ({
      predict: (x) => tf.tidy(() => {
        const [b, t, p] = x.shape;
        return x.slice([0, t - 1, 0], [b, 1, p]).tile([1, outputFrames, 1]).dataSync() as Float32Array;
      }),
    });
    const card: VideoServing = { kind: 'video-frames', model: 'm', input: '', output: '', inputFrames: 4, outputFrames: 2, height: 3, width: 2 };
    const clips = [0, 1].map((s) => Array.from({ length: 4 }, (_, f) => Array.from({ length: 3 }, (_, r) => [0, 1].map((c) => ((s + f + r + c) % 4) / 4))));
    const before = tf.memory().numTensors;
    const out = predictClips(persistence(2), card, clips.map((c, i) => encodeClip(card, c, i)));
    expect(tf.memory().numTensors).toBe(before);
    expect(out).toEqual(clips.map((c) => [c[3], c[3]]));
    expect(() => predictClips(persistence(3), card, [encodeClip(card, clips[0], 0)])).toThrow(/answered 3 frames per clip; its serving.json says 2/);
  });

  it('leaks no tensors over many requests', async () => {
    await post({ instances: [clip(0)] });
    const before = tf.memory().numTensors;
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => post({ instances: i % 3 === 0 ? [clip(i), 'bad'] : [clip(i)] })));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
