import { defineConfig } from 'tsup';

// Two builds into one dist/ (the build script empties it first): the library (ESM + CJS) and the ESM-only bin.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    // thumbhash ships ESM only; bundling its two functions keeps the CommonJS build require()-able.
    noExternal: ['thumbhash'],
  },
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    noExternal: ['thumbhash'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
