import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const dom = require.resolve('@seedream-kit/binding-harness/dom-environment');

// The fixtures import the package by name, as an app does: here its source; the browser app builds on dist.
// graphql: Node's CommonJS build everywhere (the yoga server of the tests would otherwise meet two graphql copies).
export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: [
      { find: /^@seedream-kit\/vue$/, replacement: resolve(import.meta.dirname, 'src/index.ts') },
      { find: /^graphql$/, replacement: require.resolve('graphql') },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'dom', include: ['test/use-seedream.test.ts', 'test/composable.test.ts'], environment: dom } },
      { extends: true, test: { name: 'node', include: ['test/browser.test.ts', 'test/bundle.test.ts', 'test/entry.test.ts'], environment: 'node' } },
    ],
  },
});
