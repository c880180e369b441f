/**
 * Named, seeded trainable weights for the eager-mode models of this folder, and their
 * save/load as `weights.json` + `weights.bin`. The names are logical paths
 * (`encoder/fwd/kernel`), stable across processes, unlike tfjs variable names which depend on
 * creation order.
 */
import * as tf from '@tensorflow/tfjs';
import { loadWeights as loadTensorMap, saveWeights as saveTensorMap } from '../io.ts';
import { deriveSeed } from '../random.ts';

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

/** File names written by {@link saveWeights} (a standard tfjs weights manifest + its shard). */
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
    return deriveSeed(this.seed, `init/${this.counter}`);
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

  /**
   * A tfjs layer used eagerly: build it for `inputShape` (unless already built) and register
   * its trainable variables as `<prefix>/<originalName>`. Returns the layer.
   */
  adopt<L extends { build(shape: tf.Shape | tf.Shape[]): void; built: boolean; trainableWeights: tf.LayerVariable[] }>(
    prefix: string, layer: L, inputShape?: tf.Shape | tf.Shape[],
  ): L {
    if (inputShape !== undefined && !layer.built) layer.build(inputShape);
    for (const w of layer.trainableWeights) this.add(`${prefix}/${w.originalName}`, w.read() as tf.Variable);
    return layer;
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

/**
 * Write `weights.json` (a tfjs weights manifest, weights under their logical names) and
 * `weights.bin` into `dir`, atomically, through `lib/ml/io.ts`.
 */
export async function saveWeights(owner: HasWeights, dir: string): Promise<void> {
  await saveTensorMap(Object.fromEntries(owner.weights().map((w) => [w.name, w.variable])), dir);
}

/**
 * Read weights saved by {@link saveWeights} into an owner built with the same configuration,
 * matching by name. Throws when a name is missing or a shape differs: that is a programming
 * error, not data.
 */
export async function loadWeights(owner: HasWeights, dir: string): Promise<void> {
  const saved = await loadTensorMap(dir);
  try {
    for (const w of owner.weights()) {
      const t = saved[w.name];
      if (!t) throw new Error(`weights in ${dir} lack "${w.name}"`);
      if (t.shape.join(',') !== w.variable.shape.join(',')) {
        throw new Error(`weight "${w.name}": saved shape [${t.shape}] differs from model shape [${w.variable.shape}]`);
      }
      w.variable.assign(t);
    }
  } finally {
    tf.dispose(Object.values(saved));
  }
}

/** Dispose every variable of an owner. */
export function disposeWeights(owner: HasWeights): void {
  for (const w of owner.weights()) w.variable.dispose();
}
