/** Regression metrics over flat numeric arrays (any shape, flattened in the same order). */

function check(actual: ArrayLike<number>, predicted: ArrayLike<number>, what: string): void {
  if (actual.length !== predicted.length) {
    throw new Error(`${what}: lengths differ (${actual.length} vs ${predicted.length})`);
  }
}

/** Mean squared error; 0 for empty input. Accumulates in float64 whatever the input type. */
export function mse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  check(actual, predicted, 'mse');
  if (actual.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (actual[i] ?? 0) - (predicted[i] ?? 0);
    s += d * d;
  }
  return s / actual.length;
}

/** Root mean squared error. */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return Math.sqrt(mse(actual, predicted));
}

/** Mean absolute error; 0 for empty input. */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  check(actual, predicted, 'mae');
  if (actual.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs((actual[i] ?? 0) - (predicted[i] ?? 0));
  return s / actual.length;
}
