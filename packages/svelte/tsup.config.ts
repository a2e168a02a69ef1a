import { defineConfig } from 'tsup';

// ESM only, like svelte itself: every Svelte app is ESM (Vite, SvelteKit).
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['svelte', /^svelte\//, /^@seedream-kit\/core/],
});
