/**
 * Model files in the standard tfjs layers-model format (`model.json` + `weights.bin`), read and
 * written with node:fs so no native tfjs-node is needed. Custom layers load when their class is
 * registered with `tf.serialization.registerClass` before {@link loadLayersModel} runs.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const WEIGHTS_JSON = 'weights.json';

/** Write `data` next to its final name first, so a crash never leaves a half-written file. */
async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Read every shard a manifest names, in order, as one buffer. */
async function readShards(dir: string, manifest: tf.io.WeightsManifestConfig): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) parts.push(await readFile(path.join(dir, p)));
  }
  const all = Buffer.concat(parts);
  return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
}

/** A tf.io handler for a directory holding `model.json` + `weights.bin`. */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('saveLayersModel: binary model topologies are not supported');
      }
      await mkdir(dir, { recursive: true });
      const weights = toBytes(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      // Weights first: a model.json on disk always points at complete weights.
      await writeAtomic(path.join(dir, WEIGHTS_BIN), weights);
      await writeAtomic(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = path.join(dir, MODEL_JSON);
      const modelJson = JSON.parse(await readFile(file, 'utf8')) as tf.io.ModelJSON;
      if (modelJson.modelTopology === undefined) throw new Error(`${file}: no modelTopology`);
      return tf.io.getModelArtifactsForJSON(modelJson, (manifest) => readShards(dir, manifest));
    },
  };
}

/** Save a layers model as `dir/model.json` + `dir/weights.bin` (creating `dir`). */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileHandler(dir));
}

/** Load a layers model saved by {@link saveLayersModel} (or by any tfjs tool in the same format). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileHandler(dir));
}

/**
 * Save a set of named tensors (variables of a model that is not a LayersModel) as
 * `dir/weights.json` (a tfjs weights manifest) + `dir/weights.bin`.
 */
export async function saveWeights(weights: tf.NamedTensorMap, dir: string): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(weights);
  await mkdir(dir, { recursive: true });
  const manifest: tf.io.WeightsManifestConfig = [{ paths: [`./${WEIGHTS_BIN}`], weights: specs }];
  await writeAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(data));
  await writeAtomic(path.join(dir, WEIGHTS_JSON), JSON.stringify(manifest));
}

/** Load tensors saved by {@link saveWeights}; the caller owns (and disposes) them. */
export async function loadWeights(dir: string): Promise<tf.NamedTensorMap> {
  const manifest = JSON.parse(await readFile(path.join(dir, WEIGHTS_JSON), 'utf8')) as tf.io.WeightsManifestConfig;
  const [specs, data] = await readShards(dir, manifest);
  return tf.io.decodeWeights(data, specs);
}
