/**
 * The browser cost of a binding with its HTTP transport, measured as bench/bindings.mjs does (esbuild, minified,
 * browser, the framework external, gzip -9): against the target of 5 KB min+gz, and against what core's store and
 * HTTP transport weigh on their own in the same run (the binding's share is what its package controls).
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

export interface BundleSuiteOptions {
  /** `@seedream-kit/vue`. */
  name: string;
  /** The binding's package folder (the entry imports its `dist`). */
  root: string;
  /** What an app imports besides `useSeedream` and `createHttpTransport` (`SeedreamProvider`, `setSeedreamContext`). */
  provider: string;
  /** The framework's modules, left out of the bundle. */
  external: string[];
}

const CORE = "export { createSeedreamStore } from '@seedream-kit/core/store'; export { createHttpTransport } from '@seedream-kit/core/http';";

export function describeBundleSuite({ name, root, provider, external }: BundleSuiteOptions): void {
  const bundle = async (contents: string) => {
    const result = await build({
      stdin: { contents, resolveDir: root, loader: 'js' },
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      external,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    return { code: Buffer.from(code).toString(), inputs: Object.keys(result.metafile.inputs), gzipped: gzipSync(code, { level: 9 }).length };
  };

  let ours: Awaited<ReturnType<typeof bundle>>;
  let core: Awaited<ReturnType<typeof bundle>>;
  beforeAll(async () => {
    [ours, core] = await Promise.all([bundle(`export { useSeedream, createHttpTransport, ${provider} } from './dist/index.js';`), bundle(CORE)]);
  });

  describe(`${name} in a browser bundle (useSeedream + createHttpTransport + ${provider})`, () => {
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
}
