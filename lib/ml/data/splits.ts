/** Train/validation/test splits as index lists, fixed by a seed. */
import { deriveSeed, rng } from '../random.ts';

/** Fractions of the data per split; they must be ≥ 0 and sum to 1 (±1e-9). */
export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

/** Indices (into the full data set, ascending) of each split. */
export interface SplitIndices {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** Default 70 / 15 / 15. */
export const DEFAULT_SPLIT: SplitFractions = { train: 0.7, val: 0.15, test: 0.15 };

function checkFractions(f: SplitFractions): void {
  const values = [f.train, f.val, f.test];
  if (values.some((v) => !(v >= 0)) || Math.abs(values.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    throw new Error(`split fractions must be ≥ 0 and sum to 1, got ${JSON.stringify(f)}`);
  }
}

/** Cut a list of indices into three by fractions (val and test rounded, train takes the rest). */
function cut(indices: readonly number[], f: SplitFractions): [number[], number[], number[]] {
  const n = indices.length;
  const nVal = Math.round(n * f.val);
  const nTest = Math.min(n - nVal, Math.round(n * f.test));
  const nTrain = n - nVal - nTest;
  return [indices.slice(0, nTrain), indices.slice(nTrain, nTrain + nVal), indices.slice(nTrain + nVal)];
}

const sorted = (xs: number[]): Int32Array => Int32Array.from(xs).sort();

/** A seeded random split of `n` items. */
export function randomSplit(n: number, fractions: SplitFractions = DEFAULT_SPLIT, seed = 0): SplitIndices {
  checkFractions(fractions);
  const order = rng(deriveSeed(seed, 'split')).shuffle(Array.from({ length: n }, (_, i) => i));
  const [train, val, test] = cut(order, fractions);
  return { train: sorted(train), val: sorted(val), test: sorted(test) };
}

/** A seeded split that keeps each class's proportion in every part (each class cut separately). */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fractions: SplitFractions = DEFAULT_SPLIT,
  seed = 0,
): SplitIndices {
  checkFractions(fractions);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    const list = byClass.get(c) ?? [];
    list.push(i);
    byClass.set(c, list);
  }
  const parts: [number[], number[], number[]] = [[], [], []];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng(deriveSeed(seed, `split/${c}`)).shuffle(byClass.get(c)!);
    cut(idx, fractions).forEach((p, k) => parts[k]!.push(...p));
  }
  return { train: sorted(parts[0]), val: sorted(parts[1]), test: sorted(parts[2]) };
}

/** Rows `indices` of a flat array whose items are `itemSize` values each. */
export function takeRows<A extends Float32Array | Int32Array | Uint8Array>(
  data: A,
  itemSize: number,
  indices: ArrayLike<number>,
): A {
  const Ctor = data.constructor as new (n: number) => A;
  const out = new Ctor(indices.length * itemSize);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    out.set(data.subarray(i * itemSize, (i + 1) * itemSize), k * itemSize);
  }
  return out;
}
