import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Two builds so that no chunk is shared: the browser entry carries the "use client" banner, the server entry
// must not (and must never be pulled into a client bundle).
rmSync('dist', { recursive: true, force: true });

const common = {
  format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
  dts: true,
  clean: false,
  sourcemap: true,
  target: 'es2022',
  external: ['react', '@seedream-kit/core'],
};

export default defineConfig([
  { ...common, entry: ['src/index.ts'], banner: { js: '"use client";' } },
  { ...common, entry: ['src/server.ts'] },
]);
