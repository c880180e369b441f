import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Engine e2e tests spawn real processes; ML tests hold a wasm backend per worker.
    pool: 'forks',
  },
});
