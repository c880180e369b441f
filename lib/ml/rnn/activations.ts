/**
 * Gate activations of the fused recurrences, evaluated on plain numbers. Derivatives are taken
 * from the activation's output (what the forward pass stores), matching tfjs' own gradients:
 * sigmoid' = s(1 - s), tanh' = 1 - t², hardSigmoid' = 0.2 inside the linear segment.
 */

/** Recurrent (gate) activations the fused kernels implement; tfjs' default is 'hardSigmoid'. */
export type RecurrentActivation = 'sigmoid' | 'hardSigmoid';

/** Candidate/output activations the fused kernels implement. */
export type CellActivation = 'tanh';

/** A scalar activation and its derivative expressed through its output. */
export interface ScalarActivation {
  f(x: number): number;
  dfFromOutput(y: number): number;
}

const sigmoid: ScalarActivation = {
  f: (x) => 1 / (1 + Math.exp(-x)),
  dfFromOutput: (y) => y * (1 - y),
};

// tfjs: clipByValue(0.2 x + 0.5, 0, 1); the clip's gradient passes strictly inside (ties are
// measure-zero for real-valued inputs).
const hardSigmoid: ScalarActivation = {
  f: (x) => {
    const y = 0.2 * x + 0.5;
    return y <= 0 ? 0 : y >= 1 ? 1 : y;
  },
  dfFromOutput: (y) => (y > 0 && y < 1 ? 0.2 : 0),
};

/** The gate activation by name; throws for names the fused kernels do not implement. */
export function recurrentActivation(name: string): ScalarActivation {
  if (name === 'sigmoid') return sigmoid;
  if (name === 'hardSigmoid') return hardSigmoid;
  throw new Error(`fused RNN: recurrentActivation "${name}" is not supported (use 'sigmoid' or 'hardSigmoid')`);
}

/** Whether a name is a supported gate activation. */
export function isRecurrentActivation(name: string): name is RecurrentActivation {
  return name === 'sigmoid' || name === 'hardSigmoid';
}
