import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs are mostly waiting on the registry and the disk: two at a time on CI's 2 cores.
    maxConcurrency: 2,
    // Every command it runs has its own deadline (release/lib); these only bound a test as a whole.
    testTimeout: 8 * 60_000,
    hookTimeout: 25 * 60_000,
  },
});
