// Benchmark of the Vue and Svelte bindings (packages/vue, packages/svelte): the browser cost of each `useSeedream`
// with the HTTP transport and what configures it, next to React's figure (bench/react.mjs), all measured the
// same way in the same run: esbuild 0.27.7 bundles a one-line entry that re-exports the named functions from the
// *built* packages (ESM, minified, platform browser, NODE_ENV=production, the framework external), then zlib gzip
// level 9. Also core's store + HTTP transport alone, the part every binding shares. Target: each ≤ 5 KB.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { median } from './lib/stats.mjs';

const here = import.meta.dirname;

const entries = {
  react: { label: 'React', code: "export { useSeedream, createHttpTransport, SeedreamProvider } from '@seedream-kit/react';" },
  vue: { label: 'Vue', code: "export { useSeedream, createHttpTransport, SeedreamProvider } from '@seedream-kit/vue';" },
  svelte: { label: 'Svelte', code: "export { useSeedream, createHttpTransport, setSeedreamContext } from '@seedream-kit/svelte';" },
  core: {
    label: 'core',
    code: "export { createSeedreamStore } from '@seedream-kit/core/store'; export { createHttpTransport } from '@seedream-kit/core/http';",
  },
};

/** Minified and gzip -9 size of an entry, in KB of 1000 bytes. */
async function gzippedKB(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: here, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: ['react', 'react-dom', 'react/jsx-runtime', 'vue', 'svelte', 'svelte/*'],
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { kb: gzipSync(bytes, { level: 9 }).length / 1000, minKB: bytes.length / 1000 };
}

export async function run({ repeats = 3 } = {}) {
  const sizes = {};
  for (const [key, { code }] of Object.entries(entries)) {
    const runs = [];
    for (let i = 0; i < Math.max(1, repeats); i++) runs.push(await gzippedKB(code));
    sizes[key] = { kb: median(runs.map((r) => r.kb)), minKB: median(runs.map((r) => r.minKB)) };
  }
  const react = sizes.react.kb;
  const rows = [];
  for (const [key, provider] of [
    ['vue', 'SeedreamProvider'],
    ['svelte', 'setSeedreamContext'],
  ]) {
    const value = sizes[key].kb;
    rows.push({
      name: `${key}: useSeedream + HTTP transport (min+gz, ${entries[key].label} external)`,
      value,
      unit: 'KB',
      baseline: react,
      baselineName: 'react useSeedream + HTTP transport',
      ratio: value / react,
      target: '≤ 5 KB',
      ok: value <= 5,
      note: `${sizes[key].minKB.toFixed(1)} KB minified; includes ${provider}; ${((value - sizes.core.kb) * 1000).toFixed(0)} B over core's store + HTTP transport`,
    });
  }
  rows.push({
    name: "bindings: core's store + HTTP transport alone (min+gz), shared by every binding",
    value: sizes.core.kb,
    unit: 'KB',
    baseline: react,
    baselineName: 'react useSeedream + HTTP transport',
    ratio: sizes.core.kb / react,
    note: `${sizes.core.minKB.toFixed(1)} KB minified; for information, no target`,
  });
  return rows;
}
