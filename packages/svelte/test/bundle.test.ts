// The browser cost of the binding with its HTTP transport, measured as bench/bindings.mjs does (esbuild, minified,
// browser, Svelte external, gzip -9), against the target of 5 KB min+gz and against what core's store and HTTP
// transport weigh on their own, in the same run (the binding's share is what this package controls).
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const ENTRY = "export { useSeedream, createHttpTransport, setSeedreamContext } from './dist/index.js';";
const CORE = "export { createSeedreamStore } from '@seedream-kit/core/store'; export { createHttpTransport } from '@seedream-kit/core/http';";

async function bundle(contents: string) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['svelte', 'svelte/*'],
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { code: Buffer.from(code).toString(), inputs: Object.keys(result.metafile.inputs), gzipped: gzipSync(code, { level: 9 }).length };
}

let ours: Awaited<ReturnType<typeof bundle>>;
let core: Awaited<ReturnType<typeof bundle>>;
beforeAll(async () => {
  [ours, core] = await Promise.all([bundle(ENTRY), bundle(CORE)]);
});

describe('@seedream-kit/svelte in a browser bundle (useSeedream + createHttpTransport + setSeedreamContext)', () => {
  it('holds no Node built-in, no server code and no key', () => {
    expect(ours.inputs.filter((input) => input.startsWith('node:') || /core\/dist\/(index|server|node)\./.test(input))).toEqual([]);
    expect(ours.code).not.toMatch(/COMETAPI_KEY|createSeedreamRoute|["'`]node:/);
  });

  it("adds at most 0.7 KB min+gz to core's store and HTTP transport", () => {
    expect(ours.gzipped - core.gzipped).toBeLessThanOrEqual(700);
  });

  it('is at most 5 KB min+gz (the target)', () => {
    expect(ours.gzipped).toBeLessThanOrEqual(5000);
  });
});
