/**
 * Backend selection for TensorFlow.js. Minimal first version: wasm (embedded default) or cpu.
 * The model-library work extends this with tfjs-node(-gpu) detection and the kernels the wasm
 * backend lacks.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

export type BackendName = 'wasm' | 'cpu';

export interface BackendInfo {
  name: string;
  version: string;
}

let wasmPathsSet = false;

/** Select and initialise a backend (default: `SEQLAB_BACKEND` or wasm). */
export async function initBackend(name: BackendName = (process.env.SEQLAB_BACKEND as BackendName | undefined) ?? 'wasm'): Promise<BackendInfo> {
  if (name === 'wasm' && !wasmPathsSet) {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    setWasmPaths(path.join(dir, 'dist') + path.sep);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js backend "${name}" failed to initialise`);
  await tf.ready();
  return { name: tf.getBackend(), version: tf.version.tfjs };
}
