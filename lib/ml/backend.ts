/**
 * Backend selection for TensorFlow.js.
 *
 * 'auto' tries, in order: `@tensorflow/tfjs-node-gpu` (optional dependency; only when its native
 * binding loads), `@tensorflow/tfjs-node`, the embedded wasm backend, then plain cpu. The native
 * packages register a `tensorflow` backend into the one `@tensorflow/tfjs-core` instance that
 * pnpm links for every tfjs package here, so importing them is enough to make it available.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmKernels } from './kernels/index.ts';

/** Backends a caller may ask for; 'tensorflow' means tfjs-node-gpu or tfjs-node. */
export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** What actually runs the tensors, recorded next to every metric file. */
export interface BackendInfo {
  /** tfjs backend name: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** Version of the package providing the backend. */
  version: string;
  /** npm package providing the backend. */
  package: string;
}

/** Options for {@link initBackend}. */
export interface InitBackendOptions {
  /** Which backend; default `SEQLAB_BACKEND` env, else 'auto'. */
  backend?: BackendName;
  /** Where to report the choice; default `console.error` (stdout may carry JSON). */
  log?: (msg: string) => void;
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

let current: BackendInfo | undefined;
/** What 'auto' resolved to last time; reused while that backend is still the active one. */
let lastAuto: BackendInfo | undefined;
/** The native probe runs once per process: a binding that failed to load will fail again. */
let nativeProbe: Promise<{ info?: BackendInfo; failures: string[] }> | undefined;
let wasmPathsSet = false;

/**
 * Select and initialise a backend. Accepts the options bag or, for older callers, a bare name.
 * Throws when an explicitly requested backend cannot be initialised ('auto' falls through).
 */
export async function initBackend(opts: InitBackendOptions | BackendName = {}): Promise<BackendInfo> {
  const o: InitBackendOptions = typeof opts === 'string' ? { backend: opts } : opts;
  const requested = o.backend ?? parseEnv(process.env.SEQLAB_BACKEND) ?? 'auto';
  if (!BACKEND_NAMES.includes(requested)) {
    throw new Error(`backend "${String(requested)}" is not one of ${BACKEND_NAMES.join(', ')}`);
  }
  const log = o.log ?? ((msg: string) => console.error(msg));
  const reuse = requested === 'auto' ? lastAuto : current?.name === requested ? current : undefined;
  if (reuse && tf.getBackend() === reuse.name) return reuse;
  const order: BackendName[] = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  const failures: string[] = [];
  for (const name of order) {
    const info = await tryBackend(name, failures);
    if (info) {
      current = info;
      if (requested === 'auto') lastAuto = info;
      log(`tfjs backend: ${info.name} (${info.package}@${info.version})`);
      return info;
    }
  }
  throw new Error(`TensorFlow.js backend "${requested}" failed to initialise: ${failures.join('; ')}`);
}

/**
 * The backend tensors run on now, as chosen by the last {@link initBackend}. Throws if none was
 * initialised or if something switched backends behind initBackend's back (`tf.setBackend`),
 * since a metric file must not record the wrong one.
 */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error('backendInfo() called before initBackend()');
  const active = tf.getBackend();
  if (active !== current.name) {
    throw new Error(`backendInfo(): tfjs runs on "${active}" but initBackend chose "${current.name}"; switch with initBackend`);
  }
  return current;
}

function parseEnv(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`SEQLAB_BACKEND="${value}" is not one of ${BACKEND_NAMES.join(', ')}`);
}

async function tryBackend(name: BackendName, failures: string[]): Promise<BackendInfo | undefined> {
  switch (name) {
    case 'tensorflow':
      return tryNative(failures);
    case 'wasm': {
      if (!wasmPathsSet) {
        const require = createRequire(import.meta.url);
        const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
        setWasmPaths(path.join(dir, 'dist') + path.sep);
        wasmPathsSet = true;
      }
      registerWasmKernels();
      if (!(await activate('wasm', failures))) return undefined;
      return { name: 'wasm', version: version_wasm, package: '@tensorflow/tfjs-backend-wasm' };
    }
    case 'cpu':
      if (!(await activate('cpu', failures))) return undefined;
      return { name: 'cpu', version: tf.version.tfjs, package: '@tensorflow/tfjs-backend-cpu' };
    case 'auto':
      throw new Error('unreachable: auto is expanded by initBackend');
  }
}

async function tryNative(failures: string[]): Promise<BackendInfo | undefined> {
  nativeProbe ??= probeNative();
  const probe = await nativeProbe;
  if (probe.info && (await activate('tensorflow', failures))) return probe.info;
  failures.push(...probe.failures);
  return undefined;
}

/** Import the native bindings; a missing package or a binding that fails to load is a skip. */
async function probeNative(): Promise<{ info?: BackendInfo; failures: string[] }> {
  const failures: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // A variable specifier keeps TypeScript from requiring the (optional) package's types.
      const spec: string = pkg;
      const mod = (await import(spec)) as { version?: Record<string, string> };
      if (!(await activate('tensorflow', failures))) continue;
      const version = mod.version?.['tfjs-node'] ?? mod.version?.['tfjs-node-gpu'] ?? tf.version.tfjs;
      return { info: { name: 'tensorflow', version, package: pkg }, failures };
    } catch (err: unknown) {
      failures.push(`${pkg}: ${firstLine(err)}`);
    }
  }
  return { failures };
}

async function activate(name: string, failures: string[]): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) {
      failures.push(`${name}: setBackend returned false`);
      return false;
    }
    await tf.ready();
    return true;
  } catch (err: unknown) {
    failures.push(`${name}: ${firstLine(err)}`);
    return false;
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}
