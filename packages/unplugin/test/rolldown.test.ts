/**
 * Rolldown's fast path (src/rolldown-images.ts): named images the cache answers as they are resolve through
 * `resolve.alias` to module files, the decision kept between builds in `aliases.json`; everything else still
 * goes through the plugin. Real Rolldown builds of the fixture app against a real emulator, with every input
 * of a kept module changed in turn.
 */
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SeedreamUnpluginOptions } from '../src/index.js';
import rolldownPlugin from '../src/rolldown.js';
import { checkImages, type Images, MAIN, project, WITH_BOAT } from './fast-path-fixture.js';
import { cleanup, evaluate, readTree } from './helpers.js';

afterAll(cleanup);

const modulesDir = (root: string) => join(root, 'node_modules/.cache/seedream-kit/rolldown');

/** Builds `src/main.js` into `root/out`; returns how many image modules came through an alias and how many the plugin loaded. */
async function build(root: string, options: SeedreamUnpluginOptions, out: string) {
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({ input: join(root, 'src/main.js'), plugins: [rolldownPlugin(options)], logLevel: 'silent' });
  try {
    const { output } = await bundle.write({ dir: join(root, out), format: 'es', entryFileNames: 'main.js' });
    const moduleIds = output[0].moduleIds;
    return {
      aliased: moduleIds.filter((id) => id.startsWith(`${modulesDir(root)}/`)).length,
      loaded: moduleIds.filter((id) => id.startsWith('\0seedream:')).length,
      assets: output.filter((file) => file.type === 'asset').map((file) => file.fileName),
    };
  } finally {
    await bundle.close();
  }
}

/** The lock entry of a prompt. */
async function entryOf(root: string, prompt: string): Promise<{ file: string; sha256: string }> {
  const lock = JSON.parse(await readFile(join(root, '.seedream/seedream.lock.json'), 'utf8'));
  return Object.values(lock.entries as Record<string, { file: string; sha256: string; request: { prompt: string } }>).find(
    (entry) => entry.request.prompt === prompt,
  )!;
}

describe('Rolldown: cached named images', () => {
  it('resolve through aliases once cached, to the same modules and files as through the plugin', async () => {
    const { emulator, root, options } = await project();
    const cold = await build(root, options, 'dist-cold');
    expect(emulator.log.generations()).toHaveLength(4);
    expect(cold).toMatchObject({ aliased: 0, loaded: 4 });
    const first = await checkImages(join(root, 'dist-cold'));

    // The first warm build works the decision out (the lock file changed in the cold build) and keeps it.
    const warm = await build(root, options, 'dist-warm');
    expect(emulator.log.generations()).toHaveLength(4);
    // card and boat through aliases; hero (a reference file) and the inline kite through the plugin.
    expect(warm).toMatchObject({ aliased: 2, loaded: 2 });
    expect(await checkImages(join(root, 'dist-warm'))).toEqual(first);
    expect(warm.assets.sort()).toEqual(cold.assets.sort());
    const decision = await stat(join(modulesDir(root), 'aliases.json'));

    // The next build reuses the kept decision as it is.
    const again = await build(root, options, 'dist-again');
    expect(again).toMatchObject({ aliased: 2, loaded: 2 });
    expect((await stat(join(modulesDir(root), 'aliases.json'))).mtimeMs).toBe(decision.mtimeMs);
    expect(await checkImages(join(root, 'dist-again'))).toEqual(first);
    for (const file of cold.assets) {
      expect(await readFile(join(root, 'dist-again', file))).toEqual(await readFile(join(root, 'dist-cold', file)));
    }
  });

  it('a change to publicPath, assetsDir, alt or defaults reaches the aliased modules', async () => {
    const { emulator, root, options } = await project();
    await build(root, options, 'dist-1');
    await build(root, options, 'dist-2');

    // Each changed alone: a kept module would still name the old URL or folder.
    const prefixed = { ...options, publicPath: '/static/' };
    expect((await build(root, prefixed, 'dist-prefixed')).aliased).toBe(2);
    const prefixedImages = (await evaluate(join(root, 'dist-prefixed'))) as unknown as Images;
    for (const image of [prefixedImages.card, prefixedImages.boat]) expect(image.src).toMatch(/^\/static\/assets\/[a-z-]+-[0-9a-f]{8}\.jpg$/);

    const moved = { ...prefixed, assetsDir: 'img' };
    const result = await build(root, moved, 'dist-moved');
    expect(result.aliased).toBe(2);
    const images = (await evaluate(join(root, 'dist-moved'))) as unknown as Images;
    for (const image of [images.hero, images.card, images.boat, images.kite]) {
      expect(image.src).toMatch(/^\/static\/img\/[a-z-]+-[0-9a-f]{8}\.(png|jpg)$/);
      expect((await readFile(join(root, 'dist-moved', image.src.slice('/static/'.length)))).byteLength).toBeGreaterThan(0);
    }
    expect(result.assets.filter((file) => file.startsWith('img/'))).toHaveLength(4);

    const described = { ...moved, images: { ...WITH_BOAT, boat: { prompt: 'a paper boat on a lake', alt: 'A boat, described' } } };
    await build(root, described, 'dist-alt');
    expect(((await evaluate(join(root, 'dist-alt'))) as unknown as Images).boat.alt).toBe('A boat, described');

    // New defaults are new requests: generated (card, boat and the kite's unchanged), then aliased with the new pixels.
    const larger = { ...options, defaults: { ...options.defaults, size: '768x768' } };
    const generatedBefore = emulator.log.generations().length;
    await build(root, larger, 'dist-larger');
    expect(emulator.log.generations().length).toBe(generatedBefore + 2);
    const largerAgain = await build(root, larger, 'dist-larger-again');
    expect(largerAgain.aliased).toBe(2);
    const largerImages = (await evaluate(join(root, 'dist-larger-again'))) as unknown as Images;
    expect(largerImages.card.width).toBe(768);
    expect(largerImages.boat.width).toBe(768);
  });

  it('a key appearing turns emulator art into misses, not into aliases', async () => {
    const { emulator, root, options } = await project();
    const saved = process.env.COMETAPI_KEY;
    delete process.env.COMETAPI_KEY;
    try {
      // No key: the in-process emulator draws the art (recorded as emulator art), and the next build aliases it.
      const local = { ...options, apiKey: undefined, baseURL: undefined };
      await build(root, local, 'dist-local');
      expect((await build(root, local, 'dist-local-again')).aliased).toBe(2);
      expect(emulator.log.generations()).toHaveLength(0);
      // With a key, emulator art is a miss: every image is generated by the API (here the test emulator).
      const withKey = await build(root, options, 'dist-key');
      expect(withKey.aliased).toBe(0);
      expect(emulator.log.generations()).toHaveLength(4);
      expect((await build(root, options, 'dist-key-again')).aliased).toBe(2);
    } finally {
      if (saved !== undefined) process.env.COMETAPI_KEY = saved;
    }
  });

  it('an altered cache file is regenerated through the plugin; one altered behind the same size and time fails the build once', async () => {
    const { emulator, root, messages, options } = await project();
    await build(root, options, 'dist-1');
    expect((await build(root, options, 'dist-2')).aliased).toBe(2);

    // A different size: the kept decision no longer holds, and the per-import path regenerates card.
    const card = await entryOf(root, 'a paper boat on a pond');
    await writeFile(join(root, '.seedream', card.file), 'truncated');
    const result = await build(root, options, 'dist-3');
    expect(result).toMatchObject({ aliased: 1, loaded: 3 });
    expect(emulator.log.generations()).toHaveLength(5);
    expect(messages.warn.join('\n')).toMatch(/does not match its recorded SHA-256.*regenerating/);
    await checkImages(join(root, 'dist-3'));
    // (A whole second, which utimes sets exactly, so that the alteration below can put it back.)
    const boat = await entryOf(root, 'a paper boat on a lake');
    const path = join(root, '.seedream', boat.file);
    await utimes(path, 1_700_000_000, 1_700_000_000);
    expect((await build(root, options, 'dist-4')).aliased).toBe(2);

    // The same size and modification time, other bytes: caught by the hash check when the image is emitted.
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    await utimes(path, 1_700_000_000, 1_700_000_000);
    await expect(build(root, options, 'dist-5')).rejects.toThrow(/"boat": [0-9a-f]{16}\.jpg in the cache folder changed since .*build again/);
    // The next build decides again: boat is regenerated through the plugin.
    const next = await build(root, options, 'dist-6');
    expect(next).toMatchObject({ aliased: 1, loaded: 3 });
    expect(emulator.log.generations()).toHaveLength(6);
    await checkImages(join(root, 'dist-6'));
  });

  it('only the images a build imports are emitted, and an unknown name still gets the plugin’s error', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await writeFile(join(root, 'src/main.js'), "import card from 'seedream:card';\nglobalThis.seedreamImages = { card };\n");
    const result = await build(root, options, 'dist-card');
    expect(result).toMatchObject({ aliased: 1, loaded: 0 });
    expect(result.assets).toEqual([expect.stringMatching(/^assets\/card-[0-9a-f]{8}\.jpg$/)]);
    expect(await readdir(join(root, 'dist-card/assets'))).toHaveLength(1);

    await writeFile(join(root, 'src/main.js'), `${MAIN}import typo from 'seedream:cardd';\nglobalThis.typo = typo;\n`);
    await expect(build(root, options, 'dist-typo')).rejects.toThrow(/no image named "cardd".*known: hero, card, boat/);
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

  it('an unreadable kept decision or a missing module file is worked out again', async () => {
    const { root, options } = await project();
    await build(root, options, 'dist-1');
    await build(root, options, 'dist-2');
    await writeFile(join(modulesDir(root), 'aliases.json'), '{not json');
    expect((await build(root, options, 'dist-3')).aliased).toBe(2);
    for (const file of await readdir(modulesDir(root))) if (file.endsWith('.js')) await rm(join(modulesDir(root), file));
    expect((await build(root, options, 'dist-4')).aliased).toBe(2);
    await checkImages(join(root, 'dist-4'));
  });
});
