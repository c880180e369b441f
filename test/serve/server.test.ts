// The model server over real loopback HTTP, serving a tiny date translator trained in the test
// and registered in a temp project: predictions, attention, batching, the bad-input list, no
// leaked tensors after a load test, and graceful shutdown of the `pnpm serve` process.
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../lib/serve/http.ts';
import { DEFAULT_BATCHING } from '../../lib/serve/batcher.ts';
import { ServedModels } from '../../lib/serve/models.ts';
import { textHeatmap } from '../../lib/serve/translate-cli.ts';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../helpers/browser.ts';
import { tempDir } from '../experiments/helpers.ts';
import { useBackend } from '../ml/helpers.ts';
import { TRANSLATOR, addClassifier, addForecaster, addG2p, addSpam, projectWithTranslator, register } from './helpers.ts';

let root: string;
let models: ServedModels;
let server: RunningServer;
const logs: string[] = [];

beforeAll(async () => {
  await useBackend();
  root = await projectWithTranslator(await tempDir('serve'));
  await addSpam(root);
  await addClassifier(root);
  await addForecaster(root);
  await addG2p(root);
  models = new ServedModels(root, DEFAULT_BATCHING);
  server = await startServer(models, { port: 0, maxBodyBytes: 4096, maxInstances: 32, log: (l) => logs.push(l) });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await models?.dispose();
});

async function post(p: string, body: unknown, raw = false): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const predictPath = `/v1/models/${TRANSLATOR}:predict`;

describe('model server', () => {
  it('lists and describes registered models', async () => {
    const list = (await (await fetch(`${server.url}/v1/models`)).json()) as { models: { name: string; production: number; member: string }[] };
    expect(list.models).toEqual([
      expect.objectContaining({ name: 'classifier', production: 1, member: 'ex1' }),
      expect.objectContaining({ name: TRANSLATOR, production: 1, member: 'translate/general' }),
      expect.objectContaining({ name: 'forecaster', production: 1, member: 'ex2' }),
      expect.objectContaining({ name: 'g2p', production: 1, member: 'g2p' }),
      expect.objectContaining({ name: 'spam', production: 1, member: 'spam/lstm-attention-masked' }),
    ]);
    const one = (await (await fetch(`${server.url}/v1/models/${TRANSLATOR}`)).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ name: TRANSLATOR, production: 1, signature: { output: 'the ISO date (YYYY-MM-DD)' }, model_version_status: [{ version: '1', state: 'AVAILABLE' }] });
    const api = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(api.openapi).toBe('3.0.3');
    expect(Object.keys(api.paths)).toContain('/v1/models/{name}:predict');
  });

  it('predicts dates as strings of the target alphabet, with attention of shape output × source when asked', async () => {
    const r = await post(predictPath, { instances: ['June 3, 2021', '03/06/2021'] });
    expect(r.status).toBe(200);
    const preds = r.json.predictions as string[];
    expect(preds).toHaveLength(2);
    for (const p of preds) expect(p).toMatch(/^[0-9-]*$/);
    const a = await post(predictPath, { instances: ['June 3, 2021'], attention: true });
    const [p] = a.json.predictions as { output: string; attention: { source: string[]; output: string[]; weights: number[][] } }[];
    expect(p!.attention.source).toEqual([...'June 3, 2021']);
    expect(p!.attention.weights).toHaveLength(p!.attention.output.length);
    for (const row of p!.attention.weights) {
      expect(row).toHaveLength(12);
      expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 2);
    }
    expect(p!.output).toBe(preds[0]);
  });

  it('scores mail text with the spam classifier, tokenized with its saved vocabulary, attention over its tokens', async () => {
    const r = await post('/v1/models/spam:predict', { instances: ['Subject: win money now\n\nClick http://x.example to claim your prize', 'meeting notes attached'] });
    expect(r.status).toBe(200);
    const probs = r.json.predictions as number[];
    expect(probs).toHaveLength(2);
    for (const p of probs) expect(p).toBeGreaterThanOrEqual(0), expect(p).toBeLessThanOrEqual(1);
    const a = await post('/v1/models/spam:predict', { instances: ['click here for free money'], attention: true });
    const [p] = a.json.predictions as { probability: number; spam: boolean; attention: { tokens: string[]; weights: number[] } }[];
    expect(p!.spam).toBe(p!.probability >= 0.5);
    expect(p!.attention.tokens.length).toBe(p!.attention.weights.length);
    expect(p!.attention.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 2);
    expect((await post('/v1/models/spam:predict', { instances: [{ text: 'x' }] })).json.error).toMatch(/instances\[0\] must be a string .*got object/);
    expect((await post('/v1/models/spam:predict', { instances: ['  \n '] })).json.error).toMatch(/has no words/);
  });

  it('classifies sequences into class probabilities, with one attention weight per step', async () => {
    const steps = (await models.get('classifier')).card as { steps: number; features: number; classes: string[] };
    const seq = Array.from({ length: steps.steps }, (_, t) => Array.from({ length: steps.features }, () => Math.sin(t)));
    const r = await post('/v1/models/classifier:predict', { instances: [seq, seq] });
    expect(r.status).toBe(200);
    const [probs] = r.json.predictions as number[][];
    expect(probs).toHaveLength(steps.classes.length);
    expect(probs!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    const a = await post('/v1/models/classifier:predict', { instances: [seq], attention: true });
    const [p] = a.json.predictions as { class: string; attention: number[] }[];
    expect(steps.classes).toContain(p!.class);
    expect(p!.attention).toHaveLength(steps.steps);
    expect((await post('/v1/models/classifier:predict', { instances: [seq.slice(1)] })).json.error).toMatch(/has 15 steps; the model reads exactly 16/);
    const nan = seq.map((row, t) => (t === 3 ? row.map(() => 'x') : row));
    expect((await post('/v1/models/classifier:predict', { instances: [nan] })).json.error).toMatch(/instances\[0\]\[3\]\[0\] must be a finite number, got "x"/);
    expect((await post('/v1/models/classifier:predict', { instances: ['June 3'] })).json.error).toMatch(/must be a list of 16 steps/);
  });

  it('answers g2p with space-separated phonemes of its vocabulary, reading words in any case', async () => {
    const { card } = await models.get('g2p');
    const phonemes = new Set((card as { targetTokens: string[] }).targetTokens);
    const r = await post('/v1/models/g2p:predict', { instances: ['Hello', 'hello'] });
    expect(r.status).toBe(200);
    const [a, b] = r.json.predictions as string[];
    expect(a).toBe(b);
    for (const p of a!.split(' ').filter((x) => x !== '')) expect(phonemes.has(p)).toBe(true);
    expect((await post('/v1/models/g2p:predict', { instances: ['hel1o'] })).json.error).toMatch(/outside the model's vocabulary: "1"/);
  });

  it('forecasts a series in its own units, as the saved model and preprocessing do by hand', async () => {
    const series = Array.from({ length: 12 }, (_, t) => 10 + Math.sin(t / 2));
    const r = await post('/v1/models/forecaster:predict', { instances: [series] });
    expect(r.status).toBe(200);
    const [forecast] = r.json.predictions as number[][];
    expect(forecast).toHaveLength(4);
    // By hand: z-normalise with the saved norm, shift by the last value, predict, shift and scale back.
    const served = await models.get('forecaster');
    const { norm } = served.card as { norm: { mean: number; std: number } };
    const z = series.map((v) => (v - norm.mean) / norm.std);
    const last = z.at(-1)!;
    const out = (served.model as unknown as { predict(x: number[][][]): { values: number[][] } }).predict([z.map((v) => [v - last])]);
    out.values[0]!.forEach((v, i) => expect(forecast![i]!).toBeCloseTo((v + last) * norm.std + norm.mean, 3));
    const a = await post('/v1/models/forecaster:predict', { instances: [series], attention: true });
    expect((a.json.predictions as { attention: number[][] }[])[0]!.attention).toHaveLength(4);
    expect((await post('/v1/models/forecaster:predict', { instances: [series.slice(2)] })).json.error).toMatch(/has 10 values; the model reads exactly 12/);
  });

  it('batches concurrent requests into one forward pass', async () => {
    const served = await models.get(TRANSLATOR);
    const before = served.batcher.passes;
    const rs = await Promise.all(Array.from({ length: 16 }, (_, i) => post(predictPath, { instances: [`${i + 1} May 2020`] })));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(served.batcher.passes - before).toBeLessThan(16);
  });

  it('answers the bad-input list with 400/404/413 and reasons, and keeps serving', async () => {
    const cases: [unknown, boolean, number, RegExp][] = [
      ['{"instances": [', true, 400, /not valid JSON/],
      [[1, 2], false, 400, /must be a JSON object/],
      [{ inputs: ['x'] }, false, 400, /"instances" must be a list/],
      [{ instances: [] }, false, 400, /"instances" is empty/],
      [{ instances: [42] }, false, 400, /instances\[0\] must be a string .*got number/],
      [{ instances: ['1 May 2020', null] }, false, 400, /instances\[1\] must be a string .*got null/],
      [{ instances: [''] }, false, 400, /instances\[0\] is empty/],
      [{ instances: ['1'.repeat(33)] }, false, 400, /33 characters; the model reads at most 32/],
      [{ instances: ['June ☃ 2021'] }, false, 400, /outside the model's vocabulary: "☃"/],
      [{ instances: Array(33).fill('1 May 2020') }, false, 400, /33 items; the limit is 32/],
      [{ instances: ['1 May 2020'], attention: 'yes' }, false, 400, /"attention" must be true or false/],
      [{ instances: ['x'.repeat(5000)] }, false, 413, /over the limit of 4096 bytes|limit is 4096/],
    ];
    for (const [body, raw, status, reason] of cases) {
      const r = await post(predictPath, body, raw);
      expect([r.status, r.json.error], JSON.stringify(body).slice(0, 60)).toEqual([status, expect.stringMatching(reason)]);
    }
    expect((await post('/v1/models/nope:predict', { instances: ['x'] })).status).toBe(404);
    expect((await post(`/v1/models/${TRANSLATOR}/versions/9:predict`, { instances: ['1 May 2020'] })).json.error).toMatch(/no version "9"/);
    expect((await fetch(`${server.url}/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${server.url}${predictPath}`)).status).toBe(405);
    expect((await post(predictPath, { instances: ['1 May 2020'] })).status).toBe(200);
    expect(logs.some((l) => / POST \/v1\/models\/date-translator:predict 400 .*instances=0$/.test(l))).toBe(true);
  });

  it('serves a pinned version and the new production after a promotion, without a restart', async () => {
    await register(root, 'fp-second', 'translate/general');
    const r = await post(`/v1/models/${TRANSLATOR}/versions/1:predict`, { instances: ['1 May 2020'] });
    expect(r.json.version).toBe(1);
    expect((await post(predictPath, { instances: ['1 May 2020'] })).json.version).toBe(1); // v2 ties, does not beat v1
  });

  it('leaks no tensors over a load test', async () => {
    await post(predictPath, { instances: ['1 May 2020'], attention: true }); // warm: weights loaded
    await post('/v1/models/spam:predict', { instances: ['hello'] });
    const { features } = (await models.get('classifier')).card as { features: number };
    const seq = Array.from({ length: 16 }, () => Array(features).fill(0.5));
    expect((await post('/v1/models/classifier:predict', { instances: [seq] })).status).toBe(200);
    expect((await post('/v1/models/forecaster:predict', { instances: [Array(12).fill(1)] })).status).toBe(200);
    const before = tf.memory().numTensors;
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => post(predictPath, { instances: [`${(i % 28) + 1} May 2020`, 'bad ☃'] })));
      await Promise.all(Array.from({ length: 20 }, (_, i) => post(predictPath, { instances: [`${(i % 28) + 1} May 2020`], attention: i % 2 === 0 })));
      await Promise.all(Array.from({ length: 10 }, (_, i) => post('/v1/models/spam:predict', { instances: [`free money ${i}`], attention: i % 2 === 0 })));
      await Promise.all(Array.from({ length: 10 }, (_, i) => post('/v1/models/forecaster:predict', { instances: [Array(12).fill(i)], attention: i % 2 === 0 })));
      await Promise.all(Array.from({ length: 10 }, (_, i) => post('/v1/models/classifier:predict', { instances: [seq, i % 3 ? seq : 'bad'], attention: i % 2 === 0 })));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the page at /', () => {
  it.skipIf(!chromiumPath)('translates what is typed and draws an output × source heatmap, in headless Chromium', async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const outside: string[] = [];
      page.on('request', (r) => void (r.url().startsWith(server.url) || outside.push(r.url())));
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="1"]');
      expect(await page.locator('#version option').count()).toBe((await models.registry()).models[TRANSLATOR]!.versions.length);
      await page.selectOption('#version', '1');
      await page.fill('#text', '3 May 2020');
      await page.click('#go');
      await page.waitForFunction('document.querySelectorAll("#heatmap tr").length > 1');
      const shown = await page.textContent('#result');
      const api = await post(`/v1/models/${TRANSLATOR}/versions/1:predict`, { instances: ['3 May 2020'], attention: true });
      const [p] = api.json.predictions as { output: string; attention: { output: string[] } }[];
      expect(shown).toBe(p!.output);
      const rows = await page.$$eval('#heatmap tr', (trs) => trs.map((tr) => tr.children.length));
      // Header row: a corner cell + one per source character; then one row per output token.
      expect(rows[0]).toBe(1 + '3 May 2020'.length);
      expect(rows.slice(1).every((n) => n === 1 + '3 May 2020'.length)).toBe(true);
      expect(rows.length - 1).toBe(p!.attention.output.length);
      expect(rows.length - 1).toBeGreaterThan(0);
      await page.fill('#text', 'June ☃');
      await page.click('#go');
      await page.waitForFunction('document.getElementById("error").textContent !== ""');
      expect(await page.textContent('#error')).toMatch(/outside the model's vocabulary/);
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('pnpm serve', () => {
  it('serves on the port it prints, logs one line per request, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('lib/serve/main.ts'), '--port', '0', '--root', root], {
      env: { ...process.env, SEQLAB_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}${predictPath}`, { method: 'POST', body: JSON.stringify({ instances: ['1 May 2020'] }) });
    expect(res.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(err).toMatch(/POST \/v1\/models\/date-translator:predict 200 /);
    await rm(path.join(root, '.pipeline/serve'), { recursive: true, force: true });
  }, 60_000);
});

describe('pnpm translate', () => {
  it('draws one line per output token and one column per source character', () => {
    const text = textHeatmap([...'3 May'], ['2', '</s>'], [[1, 0, 0, 0, 0], [0, 0, 0.5, 0.3, 0.2]]);
    expect(text.split('\n')).toEqual(['     │3␠May', '─────┼─────', '   2 │█    ', '</s> │  ▒░░', '']);
  });

  it('prints the output and the heatmap, and one sentence for a character outside the vocabulary', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.resolve('lib/serve/translate-cli.ts'), '--root', root, ...args], {
      encoding: 'utf8', env: { ...process.env, SEQLAB_BACKEND: 'wasm' }, timeout: 60_000,
    });
    const ok = cli('--model', TRANSLATOR, '--version', '1', '3 May 2020');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^date-translator v1 \(translate\/general\)\n\n3 May 2020 → [0-9-]*\n +│3␠May␠2020\n/);
    const bad = cli('June ☃');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('translate: "June ☃" has characters outside the model\'s vocabulary: "☃".\n');
  }, 60_000);
});
