import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // Node resolves `graphql` (no exports map) to its CommonJS build, which graphql-yoga then uses; Vite would
  // pick `index.mjs` for our sources, and two graphql instances refuse each other's schema. Use Node's choice.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    passWithNoTests: true,
    hookTimeout: 30_000,
  },
});
