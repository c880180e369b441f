/**
 * Gate activations of the fused recurrences, on plain numbers, written to inline into the gate
 * loops. V8's Math.exp/Math.tanh call out to C; with five of them per unit and step they
 * dominated the loops' profile, so exp is done here: x = k·ln2 + r with |r| ≤ ln2/2, a
 * degree-7 Taylor polynomial in r and a table for 2^k. Relative error < 1e-8 (measured), far
 * below float32 resolution. Derivatives are taken from the outputs the forward pass stores,
 * as tfjs' own gradients do: σ' = σ(1 − σ), tanh' = 1 − tanh², hardSigmoid' = 0.2 inside.
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

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const POW2 = new Float64Array(261);
for (let k = -130; k <= 130; k++) POW2[k + 130] = 2 ** k;

/** e^x for x clamped to [-88, 88] (float32's finite range, all the callers need). */
export function fexp(x: number): number {
  const c = x > 88 ? 88 : x < -88 ? -88 : x;
  const k = Math.round(c * LOG2E);
  const r = c - k * LN2_HI - k * LN2_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * (POW2[k + 130] as number);
}

/** Hyperbolic tangent (±1 beyond |x| = 10, where float32 cannot tell the difference). */
export function ftanh(x: number): number {
  if (x > 10) return 1;
  if (x < -10) return -1;
  // Near 0 the (e − 1)/(e + 1) form cancels; the odd Taylor series is exact enough there.
  if (x > -0.05 && x < 0.05) {
    const x2 = x * x;
    return x * (1 - x2 * (1 / 3 - x2 * (2 / 15 - x2 * (17 / 315))));
  }
  const e = fexp(2 * x);
  return (e - 1) / (e + 1);
}

/** Gate activation: hardSigmoid = clip(0.2x + 0.5, 0, 1) as tfjs, else the logistic sigmoid. */
export function gate(x: number, hard: boolean): number {
  if (hard) {
    const y = 0.2 * x + 0.5;
    return y <= 0 ? 0 : y >= 1 ? 1 : y;
  }
  return 1 / (1 + fexp(-x));
}

/** Derivative of {@link gate} from its output (the clip passes strictly inside its range). */
export function gateGrad(y: number, hard: boolean): number {
  if (hard) return y > 0 && y < 1 ? 0.2 : 0;
  return y * (1 - y);
}
