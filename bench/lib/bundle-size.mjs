// The browser cost of an entry, measured one way for bench/react.mjs and bench/bindings.mjs: esbuild bundles a
// one-line entry that re-exports named functions from *built* packages (ESM, minified, platform browser,
// NODE_ENV=production, the frameworks external), then zlib gzip level 9. Sizes are deterministic; repeats only
// re-bundle (median taken for form's sake). KB are of 1000 bytes (the unit of the issues' reference figures).
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { median } from './stats.mjs';

const here = new URL('..', import.meta.url).pathname;
const FRAMEWORKS = ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/client', 'vue', 'svelte', 'svelte/*'];

/** Minified and gzip -9 size of one entry's bundle. */
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
    external: FRAMEWORKS,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { kb: gzipSync(bytes, { level: 9 }).length / 1000, minKB: bytes.length / 1000 };
}

/** `{ key: { kb, minKB } }` for `{ key: { code } }`, medians of `repeats` bundles each. */
export async function bundleSizes(entries, repeats) {
  const sizes = {};
  for (const [key, { code }] of Object.entries(entries)) {
    const runs = [];
    for (let i = 0; i < Math.max(1, repeats); i++) runs.push(await gzippedKB(code));
    sizes[key] = { kb: median(runs.map((r) => r.kb)), minKB: median(runs.map((r) => r.minKB)) };
  }
  return sizes;
}
