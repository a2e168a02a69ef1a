/**
 * esbuild's fast path (src/esbuild-images.ts): named images the cache answers as they are resolve through
 * `alias` to module files esbuild reads itself; everything else still goes through the plugin. Real esbuild
 * builds of the fixture app against a real emulator.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { exceptPattern } from '../src/except-pattern.js';
import esbuildPlugin from '../src/esbuild.js';
import {
  checkImages,
  expectSameSizeAlterationCaught,
  expectWarmFromKeptDecision,
  type FastPathBuild,
  expectPruneKeepsWhatIsUsed,
  MAIN,
  project,
} from './fast-path-fixture.js';
import { buildWith, cleanup, readTree } from './helpers.js';

afterAll(cleanup);

async function esbuildOptions(root: string, plugin: ReturnType<typeof esbuildPlugin>, outdir = 'dist'): Promise<BuildOptions> {
  return {
    entryPoints: [join(root, 'src/main.js')],
    bundle: true,
    format: 'esm',
    outdir: join(root, outdir),
    entryNames: 'main',
    logLevel: 'silent',
    metafile: true,
    plugins: [plugin],
  };
}

/** The inputs of a build that esbuild read from the fast path's module folder (in the project), and those the plugin loaded. */
function inputsOf(metafile: Metafile, root: string) {
  const inputs = Object.keys(metafile.inputs);
  const modules = join(root, 'node_modules/.cache/seedream-kit/esbuild/');
  return {
    aliased: inputs.filter((input) => resolve(input).startsWith(modules)).length,
    loaded: inputs.filter((input) => input.includes('\0seedream:')).length,
  };
}

/** A build for the shared scenarios: image modules through the fast path and through the plugin, and the files written beside main.js. */
const buildFor: FastPathBuild = async (root, options, out) => {
  const { build } = await import('esbuild');
  const result = await build(await esbuildOptions(root, esbuildPlugin(options), out));
  const written = await readTree(join(root, out));
  return { ...inputsOf(result.metafile!, root), assets: [...written.keys()].filter((file) => file !== 'main.js') };
};

describe('esbuild: cached named images', () => {
  it('the decision is kept between builds and reused as it is', async () => {
    const fixture = await project();
    await expectWarmFromKeptDecision(buildFor, fixture, join(fixture.root, 'node_modules/.cache/seedream-kit/esbuild'));
  });

  it('an image altered behind the same size and time fails the build once; the next build regenerates it', async () => {
    const fixture = await project();
    await buildFor(fixture.root, fixture.options, 'dist-1');
    await expectSameSizeAlterationCaught(buildFor, fixture);
  });

  it('resolve without the plugin once cached, to the same modules and files as through it', async () => {
    const { emulator, root, options } = await project();
    const { build } = await import('esbuild');
    const cold = await build(await esbuildOptions(root, esbuildPlugin(options), 'dist-cold'));
    expect(emulator.log.generations()).toHaveLength(4);
    // Nothing cached yet: every image went through the plugin.
    expect(inputsOf(cold.metafile!, root)).toEqual({ aliased: 0, loaded: 4 });
    const first = await checkImages(join(root, 'dist-cold'));

    const warm = await build(await esbuildOptions(root, esbuildPlugin(options), 'dist-warm'));
    expect(emulator.log.generations()).toHaveLength(4);
    // card and boat from the cache without a callback; hero (a reference file) and the inline kite through the plugin.
    expect(inputsOf(warm.metafile!, root)).toEqual({ aliased: 2, loaded: 2 });
    expect(await checkImages(join(root, 'dist-warm'))).toEqual(first);
    const cold2 = await readFile(join(root, 'dist-cold/main.js'), 'utf8');
    const warm2 = await readFile(join(root, 'dist-warm/main.js'), 'utf8');
    // The same image modules either way; only the module paths differ (esbuild's comments, and the names it gives
    // a module's default export).
    const code = (text: string) => text.replace(/^\s*\/\/ .*$/gm, '').replace(/\b\w+_default\b/g, 'image_default');
    expect(code(warm2)).toBe(code(cold2));
  });

  it('a rebuild of an esbuild context writes the image files again when the output folder was emptied', async () => {
    const { root, options } = await project();
    await buildWith('esbuild', root, options);
    const { context } = await import('esbuild');
    const esbuild = await context(await esbuildOptions(root, esbuildPlugin(options)));
    try {
      const first = await esbuild.rebuild();
      expect(inputsOf(first.metafile!, root).aliased).toBe(2);
      const files = (await readdir(join(root, 'dist/assets'))).sort();
      await rm(join(root, 'dist'), { recursive: true });
      await esbuild.rebuild();
      expect((await readdir(join(root, 'dist/assets'))).sort()).toEqual(files);
      await checkImages(join(root, 'dist'));
    } finally {
      await esbuild.dispose();
    }
  });

  it('an altered cache file is regenerated through the plugin, as before', async () => {
    const { emulator, root, messages, options } = await project();
    await buildWith('esbuild', root, options);
    const lock = JSON.parse(await readFile(join(root, '.seedream/seedream.lock.json'), 'utf8'));
    const card = Object.values(lock.entries as Record<string, { file: string; request: { prompt: string } }>).find(
      (entry) => entry.request.prompt === 'a paper boat on a pond',
    )!;
    await writeFile(join(root, '.seedream', card.file), 'truncated');
    const { build } = await import('esbuild');
    const result = await build(await esbuildOptions(root, esbuildPlugin(options), 'dist-again'));
    expect(inputsOf(result.metafile!, root)).toEqual({ aliased: 1, loaded: 3 });
    expect(emulator.log.generations()).toHaveLength(5);
    expect(messages.warn.join('\n')).toMatch(/does not match its recorded SHA-256.*regenerating/);
    await checkImages(join(root, 'dist-again'));
  });

  it('an unknown name still gets the plugin’s error, naming the known images', async () => {
    const { root, options } = await project();
    await buildWith('esbuild', root, options);
    await writeFile(join(root, 'src/main.js'), `${MAIN}import typo from 'seedream:cardd';\nglobalThis.typo = typo;\n`);
    const { build } = await import('esbuild');
    await expect(build(await esbuildOptions(root, esbuildPlugin(options), 'dist-typo'))).rejects.toThrow(/no image named "cardd".*known: hero, card, boat/);
  });

  it('with `prune`, every import goes through the plugin, so the images a build uses are kept', async () => {
    await expectPruneKeepsWhatIsUsed(buildFor, await project());
  });
});

describe('exceptPattern (esbuild filters have no lookahead)', () => {
  const names = ['a', 'ab', 'b.c', 'img-1', 'img-10', 'x/y'];
  const alphabet = ['a', 'b', '.', 'c', 'i', 'm', 'g', '-', '1', '0', 'x', '/', 'y', '?'];

  /** Every string over the alphabet up to `length`, plus the names and their one-character extensions. */
  function* candidates(length: number): Generator<string> {
    let level = [''];
    for (let i = 0; i <= length; i++) {
      yield* level;
      level = level.flatMap((prefix) => alphabet.map((char) => prefix + char));
    }
    for (const name of names) for (const char of ['', ...alphabet]) yield name + char;
  }

  it('matches exactly the strings that are not one of the words and do not start with an excluded character', () => {
    const pattern = new RegExp(`^${exceptPattern(names, '?')}`);
    let checked = 0;
    for (const text of candidates(4)) {
      expect(pattern.test(text), JSON.stringify(text)).toBe(!names.includes(text) && !text.startsWith('?'));
      checked++;
    }
    expect(checked).toBeGreaterThan(40_000);
  });

  it('with no words, matches everything but the excluded first characters', () => {
    const pattern = new RegExp(`^${exceptPattern([], '?')}`);
    expect(['', 'hero', 'a?b'].every((text) => pattern.test(text))).toBe(true);
    expect(pattern.test('?prompt=x')).toBe(false);
  });
});
