// The shared browser suite (@seedream-kit/binding-harness) on a small Vite + Vue app (test/app), built on dist.
import { resolve } from 'node:path';
import { describeBrowserSuite } from '@seedream-kit/binding-harness';
import vue from '@vitejs/plugin-vue';
import { build } from 'vite';
import { version } from 'vue';

const root = resolve(import.meta.dirname, '..');

describeBrowserSuite({
  name: `vue ${version}`,
  async build(outDir) {
    await build({
      root: resolve(root, 'test/app'),
      configFile: false,
      mode: 'production',
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [vue()],
      resolve: { alias: [{ find: /^@seedream-kit\/vue$/, replacement: resolve(root, 'dist/index.js') }] },
      build: { outDir, emptyOutDir: true, target: 'es2022' },
    });
  },
});
