import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql has no exports map: Node (and so graphql-yoga) loads its CommonJS build, Vite would pick index.mjs
  // for @seedream-kit/graphql's dist, and two graphql instances refuse each other's schema. Use Node's choice.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    passWithNoTests: true,
    // The suites mostly wait (deadlines, idle timeouts, a child process), so run files side by side even on 2 cores.
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
