/**
 * The one model contract. Like tfjs-layers' RNN, which owns the time loop and leaves each cell
 * only its step, {@link Model} owns the lifecycle every model shares — the optimiser, the
 * clipped training step, snapshots of the weights for keep-best, save and load by kind, dispose —
 * and a model implements only its construction (weights from `config`), its forward pass and
 * {@link Model.batchLoss}. Training loops live in `lib/ml/train`, not here.
 *
 * A saved model is a directory: `config.json` (`{kind, config}`) next to `weights.json` +
 * `weights.bin` (`weights.ts`). `kinds.ts` maps each kind to its class, so
 * `loadModel(dir)` rebuilds any of them.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clipByGlobalNorm, globalNorm } from './train-utils.ts';
import { type HasWeights, type NamedWeight, WeightStore, loadWeights, saveWeights } from './weights.ts';

/** What every model config has: the seed its initial weights derive from. */
export interface BaseModelConfig {
  seed: number;
}

/** The optimiser settings the lifecycle needs; each model maps its config (and defaults) to these. */
export interface TrainingSettings {
  /** Adam's initial learning rate (a schedule may change it per step). */
  learningRate: number;
  /** Global-norm gradient clip; 0 = off. */
  clipNorm: number;
}

/** What one training step reports. */
export interface StepResult {
  /** The batch loss before the update. */
  loss: number;
  /** Global L2 norm of the gradient before clipping. */
  gradNorm: number;
}

/**
 * Copies of every weight's value by logical name: the one representation keep-best uses.
 * Taken by {@link Model.snapshot}, put back by {@link Model.restore}.
 */
export type WeightSnapshot = ReadonlyMap<string, Float32Array>;

/** `config.json` of a saved model. */
export interface SavedModelHeader<C = unknown> {
  kind: string;
  config: C;
}

/** The file naming a saved model's kind and config. */
export const CONFIG_JSON = 'config.json';

/** See the file comment. `B` is the model's training batch. */
export abstract class Model<C extends BaseModelConfig = BaseModelConfig, B = unknown> implements HasWeights {
  /** The name saved in `config.json`; `kinds.ts` maps it back to the class. */
  abstract readonly kind: string;
  readonly config: C;
  /** Seeded weight factory: create weights in a fixed order so a seed gives the same bytes. */
  protected readonly store: WeightStore;
  private readonly settings: TrainingSettings;
  /** Created on the first step: a model only loaded to predict never allocates Adam's slots. */
  private optimizer: tf.Optimizer | undefined;

  protected constructor(config: C, settings: TrainingSettings) {
    this.config = config;
    this.settings = { ...settings };
    this.store = new WeightStore(config.seed);
  }

  /** Every trainable weight in a fixed order (override when parts own weights outside the store). */
  weights(): NamedWeight[] {
    return this.store.weights();
  }

  /** The loss of one batch, built inside the gradient tape: tensors made here are freed after the step. */
  protected abstract batchLoss(batch: B): tf.Scalar;

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.weights().reduce((n, w) => n + w.variable.size, 0);
  }

  /** The learning rate the next step uses. */
  get learningRate(): number {
    return this.settings.learningRate;
  }

  /** Change the learning rate from the next step on (learning-rate schedules). */
  set learningRate(lr: number) {
    this.settings.learningRate = lr;
    if (this.optimizer) (this.optimizer as tf.Optimizer & { learningRate: number }).learningRate = lr;
  }

  /** One Adam step on `batch` with the gradient clipped to the global norm `clipNorm`. */
  trainStep(batch: B): StepResult {
    this.optimizer ??= tf.train.adam(this.settings.learningRate);
    const vars = this.weights().map((w) => w.variable);
    const { value, grads } = tf.variableGrads(() => this.batchLoss(batch), vars);
    const norm = globalNorm(grads);
    const clipped = clipByGlobalNorm(grads, this.settings.clipNorm, norm);
    this.optimizer.applyGradients(clipped);
    const result = { loss: value.dataSync()[0] ?? NaN, gradNorm: norm.dataSync()[0] ?? NaN };
    tf.dispose([value, grads, clipped, norm]);
    return result;
  }

  /**
   * One step per batch, in the given order; the mean batch loss. For tests and quick scripts:
   * experiments train through `lib/ml/train`'s `fit` (shuffling, schedules, keep-best).
   */
  trainEpoch(batches: readonly B[]): { loss: number } {
    let sum = 0;
    for (const batch of batches) sum += this.trainStep(batch).loss;
    return { loss: batches.length > 0 ? sum / batches.length : NaN };
  }

  /** A copy of every weight's current value. */
  snapshot(): WeightSnapshot {
    return new Map(this.weights().map((w) => [w.name, w.variable.dataSync().slice() as Float32Array]));
  }

  /** Put back values taken by {@link snapshot}; every weight must be in it. */
  restore(snap: WeightSnapshot): void {
    for (const w of this.weights()) {
      const v = snap.get(w.name);
      if (!v) throw new Error(`snapshot lacks weight "${w.name}"`);
      tf.tidy(() => w.variable.assign(tf.tensor(v, w.variable.shape, 'float32')));
    }
  }

  /** Write `config.json`, `weights.json` and `weights.bin` into `dir`. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const header: SavedModelHeader<C> = { kind: this.kind, config: this.config };
    await writeFile(path.join(dir, CONFIG_JSON), `${JSON.stringify(header, null, 2)}\n`);
    await saveWeights(this, dir);
  }

  /** Release the weights and the optimiser state. */
  dispose(): void {
    for (const w of this.weights()) w.variable.dispose();
    this.optimizer?.dispose();
    this.optimizer = undefined;
  }
}

/** Read a saved model's `config.json`; a missing or malformed file is an error naming it. */
export async function readSavedHeader(dir: string): Promise<SavedModelHeader> {
  const file = path.join(dir, CONFIG_JSON);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a saved model (${e instanceof Error ? e.message : String(e)})`);
  }
  const h = doc as Partial<SavedModelHeader>;
  if (typeof h !== 'object' || h === null || typeof h.kind !== 'string' || typeof h.config !== 'object' || h.config === null) {
    throw new Error(`${file}: expected {"kind": string, "config": object}`);
  }
  return { kind: h.kind, config: h.config };
}

/** A model class as the kind registry sees it: its saved name and how to rebuild it. */
export interface ModelKind<M extends Model = Model> {
  readonly kind: string;
  // The config comes from disk: each kind's constructor takes it as its own config type.
  fromConfig(config: never): M;
}

/** Rebuild the model saved in `dir`, which must be of kind `cls` (any kind: `kinds.ts`' `loadModel`). */
export async function loadModelAs<M extends Model>(dir: string, cls: ModelKind<M>): Promise<M> {
  const header = await readSavedHeader(dir);
  if (header.kind !== cls.kind) throw new Error(`${path.join(dir, CONFIG_JSON)}: a "${header.kind}" model, expected "${cls.kind}"`);
  return restoreSaved(dir, () => cls.fromConfig(header.config as never));
}

/** Build a model and read its weights from `dir`; a failed read frees the model. */
export async function restoreSaved<M extends Model>(dir: string, build: () => M): Promise<M> {
  const model = build();
  try {
    await loadWeights(model, dir);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
