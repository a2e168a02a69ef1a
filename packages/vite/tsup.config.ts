import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // thumbhash ships ESM only; bundling its two functions keeps the CommonJS build require()-able.
  noExternal: ['thumbhash'],
});
