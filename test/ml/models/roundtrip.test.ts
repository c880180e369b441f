import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../lib/ml/models/kinds.ts';
import { loadModelAs } from '../../../lib/ml/models/model.ts';
import { Seq2Seq } from '../../../lib/ml/models/seq2seq.ts';
import { useBackend } from '../helpers.ts';
import { CASES, probe } from './roundtrip-cases.ts';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const TSX = path.join(here, '../../../node_modules/.bin/tsx');
let root: string;

beforeAll(async () => {
  await useBackend();
  root = await mkdtemp(path.join(os.tmpdir(), 'seqlab-roundtrip-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('every model kind round-trips through save and loadModel in a fresh process', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))('%s predicts bit-identically', async (_name, i) => {
    const model = CASES[i]!.build();
    const dir = path.join(root, String(i));
    await model.save(dir);
    const expected = probe(model);
    const { stdout } = await run(TSX, [path.join(here, 'roundtrip-child.ts'), dir], { timeout: 60_000 });
    const loaded = JSON.parse(stdout) as { kind: string; probe: number[] };
    expect(loaded.kind).toBe(model.kind);
    expect(expected.length).toBeGreaterThan(0);
    // JSON carries every float32 exactly (as a double), so equality here is bit equality.
    expect(loaded.probe).toEqual(expected);
    model.dispose();
  }, 90_000);
});

describe('loadModel', () => {
  it('names the file and the known kinds for an unknown kind', async () => {
    const dir = path.join(root, 'unknown');
    await CASES[0]!.build().save(dir);
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ kind: 'perceptron', config: { seed: 1 } }));
    await expect(loadModel(dir)).rejects.toThrow(/config\.json: unknown model kind "perceptron" \(known: .*seq2seq/);
  });

  it('loadModelAs refuses a model of another kind, naming both', async () => {
    const dir = path.join(root, 'other-kind');
    await CASES[0]!.build().save(dir);
    await expect(loadModelAs(dir, Seq2Seq)).rejects.toThrow(/config\.json: a "gru-attention-classifier" model, expected "seq2seq"/);
  });

  it('names the file when config.json is not a saved model', async () => {
    const dir = path.join(root, 'broken');
    await CASES[0]!.build().save(dir);
    await writeFile(path.join(dir, 'config.json'), '{"kind": 3}');
    await expect(loadModel(dir)).rejects.toThrow(/broken\/config\.json: expected \{"kind": string, "config": object\}/);
  });
});
