/**
 * Shared test helper for every ML test: call `useBackend()` in `beforeAll` so tensors run on a
 * known backend. Defaults to wasm (the shipped default) so tests exercise the kernels users get.
 */
import { initBackend } from '../../lib/ml/backend.ts';

/**
 * Initialise the given TensorFlow.js backend (default: wasm) for the current test file. Silent:
 * tests switch backends often and the choice is not news there.
 */
export async function useBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  await initBackend({ backend: name, log: () => {} });
}
