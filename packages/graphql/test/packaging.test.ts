/** The package as others meet it: the browser transport stays tiny and free of graphql-js and Node built-ins. */
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

describe('@seedream-kit/graphql/transport in a browser bundle', () => {
  it('bundles for the browser without graphql-js or Node built-ins, small', async () => {
    const result = await esbuild.build({
      entryPoints: [resolve(root, 'src/transport.ts')],
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
    });
    // This file and core's browser-safe transport contract (with the image sniffer it shares), nothing else.
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('src/transport.ts');
    for (const input of inputs.filter((name) => name !== 'src/transport.ts')) expect(input).toMatch(/core\/dist\/(transport|chunk-[A-Z0-9]+)\.js$/);
    const code = result.outputFiles[0]!.contents;
    expect(Buffer.from(code).toString()).not.toMatch(/node:|graphql-js|GraphQLSchema/);
    expect(gzipSync(code).length).toBeLessThan(4096);
  });
});
