import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/webpack.ts', 'src/rspack.ts', 'src/rollup.ts', 'src/esbuild.ts', 'src/rolldown.ts', 'src/vite.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
