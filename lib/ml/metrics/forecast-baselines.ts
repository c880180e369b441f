/**
 * Reference forecasts that need no training, so a forecaster's error can be read against them:
 * repeat the last input value, or extrapolate the least-squares line through the input window.
 * Windows are flat row-major arrays (`n × inputSteps` in, `n × horizon` out).
 */

function windowsOf(x: ArrayLike<number>, inputSteps: number, horizon: number): number {
  if (!Number.isInteger(inputSteps) || inputSteps < 1 || x.length % inputSteps !== 0) {
    throw new Error(`forecast baseline: ${x.length} values are not windows of ${inputSteps} steps`);
  }
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`forecast baseline: horizon must be ≥ 1, got ${horizon}`);
  return x.length / inputSteps;
}

/** Every forecast step equals the window's last value (the persistence forecast). */
export function lastValueForecast(x: ArrayLike<number>, inputSteps: number, horizon: number): Float64Array {
  const n = windowsOf(x, inputSteps, horizon);
  const out = new Float64Array(n * horizon);
  for (let i = 0; i < n; i++) out.fill(x[i * inputSteps + inputSteps - 1] ?? 0, i * horizon, (i + 1) * horizon);
  return out;
}

/**
 * The least-squares line a + b·t through the window's values at t = 0…inputSteps−1, evaluated
 * at t = inputSteps…inputSteps+horizon−1. One step gives a flat line (no slope to fit).
 */
export function linearTrendForecast(x: ArrayLike<number>, inputSteps: number, horizon: number): Float64Array {
  const n = windowsOf(x, inputSteps, horizon);
  const out = new Float64Array(n * horizon);
  const tMean = (inputSteps - 1) / 2;
  let tVar = 0;
  for (let t = 0; t < inputSteps; t++) tVar += (t - tMean) ** 2;
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let t = 0; t < inputSteps; t++) mean += x[i * inputSteps + t] ?? 0;
    mean /= inputSteps;
    let cov = 0;
    for (let t = 0; t < inputSteps; t++) cov += (t - tMean) * ((x[i * inputSteps + t] ?? 0) - mean);
    const slope = tVar > 0 ? cov / tVar : 0;
    for (let k = 0; k < horizon; k++) out[i * horizon + k] = mean + slope * (inputSteps + k - tMean);
  }
  return out;
}
