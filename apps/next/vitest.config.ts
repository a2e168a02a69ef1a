import { defineConfig } from 'vitest/config';

// One file: it builds the app, runs `next start` twice and drives one headless Chromium.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
