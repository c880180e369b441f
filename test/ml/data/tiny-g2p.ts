// No vitest here: bench/serve.ts builds its project through test/serve/helpers.ts and runs without vitest.

/** `generateG2p` options for a tiny bundle on the standard split (40 training, 20 val, 20 test words). */
export const TINY_G2P = {
  trainWords: 40, valWords: 20, testWords: 20, testFraction: 0.1, valFraction: 0.05, splitSeed: 2008, stripStress: true, seed: 4,
} as const;
