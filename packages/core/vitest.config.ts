import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 30_000, hookTimeout: 30_000, passWithNoTests: true };

export default defineConfig({
  test: {
    projects: [
      {
        test: { ...shared, name: 'core', include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'] },
      },
      {
        // The client's behaviour over createNodeFetch(): the suites that talk HTTP, run again with it.
        test: {
          ...shared,
          name: 'node-fetch',
          include: ['test/{generate,stream,retries,errors}.test.ts'],
          env: { SEEDREAM_TEST_FETCH: 'node' },
        },
      },
    ],
  },
});
