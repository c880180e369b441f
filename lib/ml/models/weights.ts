/**
 * Named, seeded trainable weights for the eager-mode models of this folder, and their
 * save/load as `weights.json` (manifest) + `weights.bin` (little-endian float32, in manifest
 * order). The names are logical paths (`encoder/fwd/kernel`), stable across processes,
 * unlike tfjs variable names which depend on creation order.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A trainable variable under its logical name. */
export interface NamedWeight {
  name: string;
  variable: tf.Variable;
}

/** Anything that owns trainable weights. */
export interface HasWeights {
  /** Every trainable weight, in a fixed order. */
  weights(): NamedWeight[];
}

/** One entry of `weights.json`. */
export interface WeightManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Offset into `weights.bin`, in float32 elements. */
  offset: number;
}

/** File names written by {@link saveWeights}. */
export const WEIGHTS_JSON = 'weights.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * Creates variables with seeds derived from one base seed, so the same seed and the same
 * construction order give bit-identical initial weights.
 */
export class WeightStore implements HasWeights {
  private readonly list: NamedWeight[] = [];
  private counter = 0;

  constructor(readonly seed: number) {}

  /** The next per-weight seed. */
  nextSeed(): number {
    this.counter += 1;
    return this.seed * 1009 + this.counter;
  }

  /** A glorot-uniform matrix (or zeros for `init: 'zeros'`), registered under `name`. */
  create(name: string, shape: number[], init: 'glorot' | 'zeros' | 'normal' = 'glorot'): tf.Variable {
    const seed = this.nextSeed();
    const value = tf.tidy(() => {
      switch (init) {
        case 'zeros':
          return tf.zeros(shape);
        case 'normal':
          return tf.randomNormal(shape, 0, 0.1, 'float32', seed);
        case 'glorot':
          return tf.initializers.glorotUniform({ seed }).apply(shape);
      }
    });
    const variable = tf.variable(value, true);
    value.dispose();
    this.add(name, variable);
    return variable;
  }

  /** Register an existing variable (e.g. a stock tfjs cell's) under a logical name. */
  add(name: string, variable: tf.Variable): void {
    if (this.list.some((w) => w.name === name)) throw new Error(`duplicate weight name "${name}"`);
    this.list.push({ name, variable });
  }

  weights(): NamedWeight[] {
    return [...this.list];
  }
}

/** The variables of several weight owners, for `optimizer.minimize` / `tf.variableGrads`. */
export function variablesOf(owner: HasWeights): tf.Variable[] {
  return owner.weights().map((w) => w.variable);
}

/** Write `weights.json` + `weights.bin` into `dir` (created if missing). */
export async function saveWeights(owner: HasWeights, dir: string): Promise<void> {
  const weights = owner.weights();
  const manifest: WeightManifestEntry[] = [];
  let offset = 0;
  for (const w of weights) {
    manifest.push({ name: w.name, shape: [...w.variable.shape], dtype: 'float32', offset });
    offset += w.variable.size;
  }
  const data = new Float32Array(offset);
  for (const [i, w] of weights.entries()) data.set(w.variable.dataSync() as Float32Array, manifest[i]?.offset ?? 0);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, WEIGHTS_JSON), JSON.stringify({ format: 'seqlab-weights/1', weights: manifest }, null, 2) + '\n');
  // Float32Array is little-endian on every platform node runs on.
  await writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(data.buffer));
}

/**
 * Read weights saved by {@link saveWeights} into an owner built with the same configuration.
 * Throws when a name is missing or a shape differs: that is a programming error, not data.
 */
export async function loadWeights(owner: HasWeights, dir: string): Promise<void> {
  const parsed = JSON.parse(await readFile(path.join(dir, WEIGHTS_JSON), 'utf8')) as { weights: WeightManifestEntry[] };
  const bin = await readFile(path.join(dir, WEIGHTS_BIN));
  const data = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const byName = new Map(parsed.weights.map((e) => [e.name, e]));
  for (const w of owner.weights()) {
    const e = byName.get(w.name);
    if (!e) throw new Error(`weights in ${dir} lack "${w.name}"`);
    if (e.shape.join(',') !== w.variable.shape.join(',')) {
      throw new Error(`weight "${w.name}": saved shape [${e.shape}] differs from model shape [${w.variable.shape}]`);
    }
    const size = e.shape.reduce((a, b) => a * b, 1);
    tf.tidy(() => w.variable.assign(tf.tensor(data.subarray(e.offset, e.offset + size), e.shape, 'float32')));
  }
}

/** Dispose every variable of an owner. */
export function disposeWeights(owner: HasWeights): void {
  for (const w of owner.weights()) w.variable.dispose();
}
