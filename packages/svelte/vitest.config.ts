import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const dom = require.resolve('@seedream-kit/binding-harness/dom-environment');

// The fixtures import the package by name, as an app does: here its source; the browser app builds on dist.
// graphql: Node's CommonJS build everywhere (the yoga server of the tests would otherwise meet two graphql copies).
// The DOM tests resolve svelte's browser build (its server build has no `mount`).
export default defineConfig({
  plugins: [svelte()],
  resolve: {
    alias: [
      { find: /^@seedream-kit\/svelte$/, replacement: resolve(import.meta.dirname, 'src/index.ts') },
      { find: /^graphql$/, replacement: require.resolve('graphql') },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        resolve: { conditions: ['browser'] },
        test: { name: 'dom', include: ['test/use-seedream.test.ts', 'test/runes.test.ts'], environment: dom },
      },
      { extends: true, test: { name: 'node', include: ['test/browser.test.ts', 'test/bundle.test.ts', 'test/entry.test.ts'], environment: 'node' } },
    ],
  },
});
