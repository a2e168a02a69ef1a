/**
 * Rspack's fast path (src/rspack-images.ts): named images the cache answers as they are become JSON module files,
 * for importers that are surely not strict ES modules, the decision kept between builds in `aliases.json`; strict
 * importers and everything else still go through the plugin. Real Rspack builds of the fixture app against a real
 * emulator.
 */
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Compiler, RspackOptions } from '@rspack/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { SeedreamUnpluginOptions } from '../src/index.js';
import rspackPlugin from '../src/rspack.js';
import { checkImages, type Images, project } from './fast-path-fixture.js';
import { cleanup, evaluate, readTree } from './helpers.js';

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
async function build(root: string, options: SeedreamUnpluginOptions, out: string, entry = 'src/main.js') {
  const { rspack } = await import('@rspack/core');
  const held = new HeldModules();
  const config: RspackOptions = {
    mode: 'production',
    context: root,
    target: 'node',
    entry: join(root, entry),
    output: { path: join(root, out), filename: 'main.js', module: true, chunkFormat: 'module', library: { type: 'module' } },
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

/** The lock entry of a prompt. */
async function entryOf(root: string, prompt: string): Promise<{ file: string; sha256: string }> {
  const lock = JSON.parse(await readFile(join(root, '.seedream/seedream.lock.json'), 'utf8'));
  return Object.values(lock.entries as Record<string, { file: string; sha256: string; request: { prompt: string } }>).find(
    (entry) => entry.request.prompt === prompt,
  )!;
}

describe('Rspack: cached named images', () => {
  it('come from JSON module files once cached, with the same images and files as through the plugin', async () => {
    const { emulator, root, options } = await project();
    const cold = await build(root, options, 'dist-cold');
    expect(emulator.log.generations()).toHaveLength(4);
    expect(cold).toMatchObject({ aliased: 0, loaded: 4 });
    const first = await checkImages(join(root, 'dist-cold'));

    const warm = await build(root, options, 'dist-warm');
    expect(emulator.log.generations()).toHaveLength(4);
    // card and boat from JSON modules; hero (a reference file) and the inline kite through the plugin.
    expect(warm).toMatchObject({ aliased: 2, loaded: 2, assets: cold.assets });
    expect(await checkImages(join(root, 'dist-warm'))).toEqual(first);
    const decision = await stat(join(modulesDir(root), 'aliases.json'));

    const again = await build(root, options, 'dist-again');
    expect(again).toMatchObject({ aliased: 2, loaded: 2 });
    expect((await stat(join(modulesDir(root), 'aliases.json'))).mtimeMs).toBe(decision.mtimeMs);
    for (const file of cold.assets) {
      expect(await readFile(join(root, 'dist-again', file))).toEqual(await readFile(join(root, 'dist-cold', file)));
    }
  });

  it('a strict ES-module importer gets the plugin’s module, whose named exports it can import', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    const strict = await build(root, options, 'dist-strict');
    expect(strict).toMatchObject({ aliased: 0, loaded: 4 });
    await checkImages(join(root, 'dist-strict'));
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
    const images = (await evaluate(join(root, 'dist-moved'))) as unknown as Images;
    for (const image of [images.hero, images.card, images.boat, images.kite]) {
      expect(image.src).toMatch(/^\/static\/img\/[a-z-]+-[0-9a-f]{8}\.(png|jpg)$/);
      expect((await readFile(join(root, 'dist-moved', image.src.slice('/static/'.length)))).byteLength).toBeGreaterThan(0);
    }
  });

  it('an image altered behind the same size and time fails the build once; the next build regenerates it', async () => {
    const { emulator, root, options } = await project();
    await build(root, options, 'dist-1');
    const boat = await entryOf(root, 'a paper boat on a lake');
    const path = join(root, '.seedream', boat.file);
    // (A whole second, which utimes sets exactly, so that the alteration below can put it back.)
    await utimes(path, 1_700_000_000, 1_700_000_000);
    expect((await build(root, options, 'dist-2')).aliased).toBe(2);
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    await utimes(path, 1_700_000_000, 1_700_000_000);
    await expect(build(root, options, 'dist-3')).rejects.toThrow(/"boat": [0-9a-f]{16}\.jpg in the cache folder changed since .*build again/);
    const next = await build(root, options, 'dist-4');
    expect(next).toMatchObject({ aliased: 1, loaded: 3 });
    expect(emulator.log.generations()).toHaveLength(5);
    await checkImages(join(root, 'dist-4'));
  });

  it('with `prune`, every import goes through the plugin, so the images a build uses are kept', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await writeFile(
      join(root, 'src/main.js'),
      "import hero from 'seedream:hero';\nimport card from 'seedream:card';\nglobalThis.seedreamImages = { hero, card };\n",
    );
    const result = await build(root, { ...options, prune: true }, 'dist-pruned');
    expect(result).toMatchObject({ aliased: 0, loaded: 2 });
    const lock = JSON.parse((await readTree(join(root, '.seedream'))).get('seedream.lock.json')!.toString());
    const prompts = Object.values(lock.entries as Record<string, { request: { prompt: string } }>).map((entry) => entry.request.prompt);
    expect(prompts.sort()).toEqual(['a lighthouse at dusk', 'a paper boat on a pond']);
  });
});
