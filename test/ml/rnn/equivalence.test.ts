import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../helpers.ts';
import { type Case, lengthsMask, maxAbs, maxRelDiff, runBoth } from './support.ts';

const TOL = 1e-5;

function expectSame(c: Case): void {
  const { stock, fused } = runBoth(c);
  expect(fused.outputs.length).toBe(stock.outputs.length);
  stock.outputs.forEach((o, i) => {
    expect(maxRelDiff(fused.outputs[i] as Float32Array, o), `output ${i}`).toBeLessThan(TOL);
  });
  expect(fused.grads.length).toBe(stock.grads.length);
  stock.grads.forEach((g, i) => {
    const name = stock.gradNames[i];
    expect(g, `stock grad ${name}`).toBeDefined();
    expect(maxAbs(g), `grad ${name} is not trivially zero`).toBeGreaterThan(1e-4);
    expect(maxRelDiff(fused.grads[i] as Float32Array, g), `grad ${name}`).toBeLessThan(TOL);
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fused vs stock on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    for (const kind of ['lstm', 'gru'] as const) {
      it(`${kind}: sequences + state, hardSigmoid, no mask`, () => {
        expectSame({ kind, args: { units: 6, returnSequences: true, returnState: true }, batch: 3, steps: 5, dim: 4 });
      });
      it(`${kind}: sigmoid, last output only, initial state`, () => {
        expectSame({ kind, args: { units: 5, recurrentActivation: 'sigmoid' }, batch: 2, steps: 4, dim: 3, initialState: true });
      });
      it(`${kind}: variable lengths (mask), initial state, sequences + state`, () => {
        expectSame({
          kind, args: { units: 4, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid' },
          batch: 4, steps: 6, dim: 3, mask: lengthsMask([6, 4, 1, 3], 6), initialState: true, seed: 7,
        });
      });
      it(`${kind}: goBackwards with a holey mask`, () => {
        expectSame({
          kind, args: { units: 4, returnSequences: true, goBackwards: true },
          batch: 2, steps: 5, dim: 2, mask: [[1, 0, 1, 1, 0], [0, 1, 1, 0, 1]], seed: 3,
        });
      });
      it(`${kind}: bidirectional (concat) with variable lengths`, () => {
        expectSame({
          kind, args: { units: 3, returnSequences: true, recurrentActivation: 'sigmoid' },
          batch: 3, steps: 5, dim: 2, mask: lengthsMask([5, 2, 4], 5), bidirectional: 'concat', seed: 5,
        });
      });
      it(`${kind}: bidirectional (sum) with state, no bias`, () => {
        expectSame({
          kind, args: { units: 3, returnState: true, useBias: false },
          batch: 2, steps: 4, dim: 2, bidirectional: 'sum', seed: 9,
        });
      });
    }
  });
}
