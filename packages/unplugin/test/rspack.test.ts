/**
 * Rspack's fast path (src/rspack-images.ts): named images the cache answers as they are become JSON module files,
 * for importers that are surely not strict ES modules, the decision kept between builds in `aliases.json`; strict
 * importers and everything else still go through the plugin. Real Rspack builds of the fixture app against a real
 * emulator.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Compiler, RspackOptions, RuleSetRules } from '@rspack/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { SeedreamUnpluginOptions } from '../src/index.js';
import rspackPlugin from '../src/rspack.js';
import {
  checkImages,
  expectPruneKeepsWhatIsUsed,
  expectSameSizeAlterationCaught,
  expectWarmFromKeptDecision,
  type Images,
  MAIN,
  project,
  expectMovedImages,
} from './fast-path-fixture.js';
import { cleanup, evaluate } from './helpers.js';

afterAll(cleanup);

const modulesDir = (root: string) => join(root, 'node_modules/.cache/seedream-kit/rspack');

/** The files of the modules a build held, through a plugin that looks at the finished compilation. */
class HeldModules {
  resources: string[] = [];
  apply(compiler: Compiler) {
    compiler.hooks.thisCompilation.tap('held-modules', (compilation) => {
      compilation.hooks.finishModules.tap('held-modules', (modules) => {
        this.resources = [...modules].map((module) => (module as { resource?: string }).resource ?? '').filter(Boolean);
      });
    });
  }
}

/** Builds `entry` into `root/out` (ESM, unminified); returns how many image modules came from the fast path and how many through the plugin. */
async function build(root: string, options: SeedreamUnpluginOptions, out: string, entry = 'src/main.js', rules: RuleSetRules = []) {
  const { rspack } = await import('@rspack/core');
  const held = new HeldModules();
  const config: RspackOptions = {
    mode: 'production',
    context: root,
    target: 'node',
    entry: join(root, entry),
    output: { path: join(root, out), filename: 'main.js', module: true, chunkFormat: 'module', library: { type: 'module' } },
    module: { rules },
    optimization: { minimize: false },
    infrastructureLogging: { level: 'none' },
    plugins: [rspackPlugin(options), held],
  };
  const compiler = rspack(config);
  const assets = await new Promise<string[]>((resolve, reject) =>
    compiler.run((error, stats) => {
      if (error) return reject(error);
      if (!stats || stats.hasErrors()) return reject(new Error(stats?.toString({ all: false, errors: true }) ?? 'no stats'));
      resolve(Object.keys(stats.compilation.assets).filter((name) => name !== 'main.js'));
    }),
  );
  await new Promise<void>((resolve) => compiler.close(() => resolve()));
  return {
    aliased: held.resources.filter((resource) => resource.startsWith(`${modulesDir(root)}/`)).length,
    loaded: held.resources.filter((resource) => resource.includes(encodeURIComponent('\0seedream:'))).length,
    assets: assets.sort(),
  };
}

describe('Rspack: cached named images', () => {
  it('come from JSON module files once cached, with the same images and files as through the plugin', async () => {
    const fixture = await project();
    await expectWarmFromKeptDecision(build, fixture, modulesDir(fixture.root));
  });

  it('a strict ES-module importer gets the plugin’s module, whose named exports it can import', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    const strict = await build(root, options, 'dist-strict');
    expect(strict).toMatchObject({ aliased: 0, loaded: 4 });
    await checkImages(join(root, 'dist-strict'));
  });

  it('a TypeScript importer in a "type": "module" package gets the JSON module, unless a rule makes it strict', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    await writeFile(join(root, 'src/main.ts'), MAIN);
    // Rspack's default rules type `.js` in such a package as a strict ES module, and leave `.ts` to the project's rules.
    const swc = { test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } } };
    expect(await build(root, options, 'dist-ts', 'src/main.ts', [swc])).toMatchObject({ aliased: 2, loaded: 2 });
    await checkImages(join(root, 'dist-ts'));
    const strict = await build(root, options, 'dist-ts-strict', 'src/main.ts', [{ ...swc, type: 'javascript/esm' }]);
    expect(strict).toMatchObject({ aliased: 0, loaded: 4 });
    await checkImages(join(root, 'dist-ts-strict'));
  });

  it('a strict and a plain importer of one image in one build: both read it, its file emitted once', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await writeFile(join(root, 'src/strict.mjs'), "import card, { width } from 'seedream:card';\nexport const strictCard = { ...card, width };\n");
    await writeFile(
      join(root, 'src/both.js'),
      "import { strictCard } from './strict.mjs';\nimport card, { width } from 'seedream:card';\nglobalThis.seedreamImages = { strictCard, card, width };\n",
    );
    const result = await build(root, options, 'dist-both', 'src/both.js');
    expect(result).toMatchObject({ aliased: 1, loaded: 1 });
    expect(result.assets).toEqual([expect.stringMatching(/^assets\/card-[0-9a-f]{8}\.jpg$/)]);
    const seen = (await evaluate(join(root, 'dist-both'))) as unknown as { strictCard: Images['card']; card: Images['card']; width: number };
    expect(seen.card).toEqual(seen.strictCard);
    expect(seen.width).toBe(512);
  });

  it('a change to publicPath or assetsDir reaches the JSON modules', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await build(root, options, 'dist-2');
    const moved = { ...options, publicPath: '/static/', assetsDir: 'img' };
    const result = await build(root, moved, 'dist-moved');
    expect(result.aliased).toBe(2);
    await expectMovedImages(join(root, 'dist-moved'));
  });

  it('an image altered behind the same size and time fails the build once; the next build regenerates it', async () => {
    const fixture = await project();
    await build(fixture.root, fixture.options, 'dist-1');
    await expectSameSizeAlterationCaught(build, fixture);
  });

  it('with `prune`, every import goes through the plugin, so the images a build uses are kept', async () => {
    await expectPruneKeepsWhatIsUsed(build, await project());
  });
});
