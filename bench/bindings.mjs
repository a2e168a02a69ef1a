// Benchmark of the Vue and Svelte bindings (packages/vue, packages/svelte): the browser cost of each `useSeedream`
// with the HTTP transport and what configures it, next to React's figure (bench/react.mjs), all measured the
// same way in the same run: esbuild 0.27.7 bundles a one-line entry that re-exports the named functions from the
// *built* packages (ESM, minified, platform browser, NODE_ENV=production, the framework external), then zlib gzip
// level 9. Also core's store + HTTP transport alone, the part every binding shares. Target: each ≤ 5 KB.
import { bundleSizes } from './lib/bundle-size.mjs';

const entries = {
  react: { label: 'React', code: "export { useSeedream, createHttpTransport, SeedreamProvider } from '@seedream-kit/react';" },
  vue: { label: 'Vue', code: "export { useSeedream, createHttpTransport, SeedreamProvider } from '@seedream-kit/vue';" },
  svelte: { label: 'Svelte', code: "export { useSeedream, createHttpTransport, setSeedreamContext } from '@seedream-kit/svelte';" },
  core: {
    label: 'core',
    code: "export { createSeedreamStore } from '@seedream-kit/core/store'; export { createHttpTransport } from '@seedream-kit/core/http';",
  },
};

export async function run({ repeats = 3 } = {}) {
  const sizes = await bundleSizes(entries, repeats);
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
