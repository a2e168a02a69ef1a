import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The suites drive one real server and one headless Chromium each, so they run one file at a time.
export default defineConfig({
  // The server imports the kit's built packages, which vitest transforms (they live outside node_modules): Vite
  // would resolve their `graphql` to `index.mjs` while graphql-yoga gets Node's CommonJS build, and two graphql
  // instances refuse each other's schema. Use Node's choice everywhere, as `node server/main.mjs` does.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
