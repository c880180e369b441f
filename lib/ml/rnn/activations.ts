/**
 * Gate activations the fused recurrences support. The arithmetic itself is in the WebAssembly
 * kernels (../wasm/kernels.as.ts).
 */

/** Recurrent (gate) activations the fused kernels implement; tfjs' default is 'hardSigmoid'. */
export type RecurrentActivation = 'sigmoid' | 'hardSigmoid';

/** Whether a name is a supported gate activation. */
export function isRecurrentActivation(name: string): name is RecurrentActivation {
  return name === 'sigmoid' || name === 'hardSigmoid';
}

/** Checks a gate activation name; `true` for hardSigmoid. */
export function isHard(name: string): boolean {
  if (!isRecurrentActivation(name)) throw new Error(`fused RNN: recurrentActivation "${name}" is not supported (use 'sigmoid' or 'hardSigmoid')`);
  return name === 'hardSigmoid';
}
