// The shared browser suite (@seedream-kit/binding-harness) on a small Vite + Svelte app (test/app), built on dist.
import { resolve } from 'node:path';
import { describeBrowserSuite } from '@seedream-kit/binding-harness';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VERSION } from 'svelte/compiler';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');

describeBrowserSuite({
  name: `svelte ${VERSION}`,
  async build(outDir) {
    await build({
      root: resolve(root, 'test/app'),
      configFile: false,
      mode: 'production',
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [svelte()],
      resolve: { alias: [{ find: /^@seedream-kit\/svelte$/, replacement: resolve(root, 'dist/index.js') }] },
      build: { outDir, emptyOutDir: true, target: 'es2022' },
    });
  },
});
