/**
 * One fixture app (two named images, one inline with a relative reference image, one responsive inline image)
 * built by Vite, webpack, Rspack, Rollup, esbuild and Rolldown through the unplugin adapters — and by the
 * native @seedream-kit/vite plugin — against a real emulator over HTTP: the same cache, byte for byte, the
 * right pixels in every output, no request on a warm build, none at all in CI.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import seedreamVite from '@seedream-kit/vite';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BUNDLERS,
  type Bundler,
  buildWith,
  cleanup,
  copyFixture,
  DEFAULTS,
  evaluate,
  FAKE_KEY,
  type FixtureImages,
  type ImageModule,
  fileOf,
  fixtureOptions,
  IMAGES,
  type Messages,
  readTree,
  testEmulator,
} from './helpers.js';
import rspackPlugin from '../src/rspack.js';
import webpackPlugin from '../src/webpack.js';

const EXPECTED = {
  hero: { width: 1280, height: 720, format: 'png', alt: 'Lighthouse' },
  card: { width: 512, height: 512, format: 'jpeg', alt: 'a paper boat on a pond' },
  kite: { width: 1280, height: 720, format: 'jpeg', alt: 'Kite' },
  bay: { width: 640, height: 480, format: 'jpeg', alt: 'a quiet bay' },
} as const;

/** `w=160;320;1000` of a 640-wide image: 1000 is clamped to 640. */
const BAY_WIDTHS = [160, 320, 640];

async function checkOutput(outDir: string, images: FixtureImages): Promise<void> {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    const image = images[name as keyof typeof EXPECTED];
    expect(image, name).toMatchObject(expected);
    expect(image.src, name).toMatch(/^\/assets\/[a-z0-9-]+-[0-9a-f]{8}\.(png|jpg)$/);
    const metadata = await sharp(await fileOf(outDir, image.src)).metadata();
    expect([metadata.width, metadata.height, metadata.format], name).toEqual([expected.width, expected.height, expected.format]);
    expect(image.placeholder).toMatch(/^data:image\/webp;base64,/);
  }
  expect(images.cardWidth).toBe(512);
  expect(images.hero.srcset).toEqual({});
  expect(images.hero.sources).toEqual([]);
  // The responsive image: one srcset per format, in the asked order, every file decoding to its width.
  const { bay } = images;
  expect(Object.keys(bay.srcset)).toEqual(['avif', 'webp']);
  expect(bay.sources.map((source) => source.type)).toEqual(['image/avif', 'image/webp']);
  expect(images.baySources).toEqual(bay.sources);
  for (const source of bay.sources) {
    const format = source.type.slice('image/'.length);
    expect(source.srcset).toBe(bay.srcset[format]);
    const candidates = source.srcset.split(', ').map((candidate) => candidate.split(' '));
    expect(candidates.map(([, descriptor]) => descriptor)).toEqual(BAY_WIDTHS.map((width) => `${width}w`));
    for (const [url, descriptor] of candidates) {
      const metadata = await sharp(await fileOf(outDir, url!)).metadata();
      expect(metadata.format === 'heif' ? 'avif' : metadata.format).toBe(format);
      expect(`${metadata.width}w`).toBe(descriptor);
      expect(metadata.height).toBe(Math.round((480 * metadata.width!) / 640));
    }
  }
}

describe('one fixture app, six bundlers, one cache', () => {
  const messages: Messages = { info: [], warn: [] };
  const caches = new Map<string, Map<string, Buffer>>();
  const roots = new Map<Bundler, string>();
  let emulator: Awaited<ReturnType<typeof testEmulator>>;

  beforeAll(async () => {
    emulator = await testEmulator();
  });
  afterAll(cleanup);

  it.each(BUNDLERS)('%s: a cold build generates each image once, with the right pixels in the output', async (bundler) => {
    const root = await copyFixture();
    roots.set(bundler, root);
    const before = emulator.log.generations().length;
    const outDir = await buildWith(bundler, root, fixtureOptions(root, emulator, messages));
    // Four images, one generation each; the responsive variants cost none.
    expect(emulator.log.generations().length - before).toBe(4);
    await checkOutput(outDir, await evaluate(outDir));
    caches.set(bundler, await readTree(join(root, '.seedream')));
  });

  it('every bundler wrote the same cache entries, byte for byte, as the native Vite plugin', async () => {
    const root = await copyFixture();
    const { build } = await import('vite');
    await build({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [seedreamVite({ images: IMAGES, defaults: DEFAULTS, apiKey: FAKE_KEY, baseURL: emulator.baseURL, offline: false })],
      build: { write: false, rolldownOptions: { input: join(root, 'src/main.js') } },
    });
    const reference = await readTree(join(root, '.seedream'));
    // 4 images + 3 widths × 2 formats of the responsive one + the lock file.
    expect(reference.size).toBe(4 + 6 + 1);
    const lock = JSON.parse(reference.get('seedream.lock.json')!.toString());
    expect(Object.keys(lock.entries)).toHaveLength(4);
    expect(BUNDLERS.filter((bundler) => caches.has(bundler))).toEqual(BUNDLERS);
    for (const [bundler, cache] of caches) {
      expect([...cache.keys()], bundler).toEqual([...reference.keys()]);
      for (const [name, bytes] of reference) expect(cache.get(name)!.equals(bytes), `${bundler}: ${name}`).toBe(true);
    }
  });

  it.each(BUNDLERS)('%s: a second build makes no generation request and leaves the cache untouched', async (bundler) => {
    const root = roots.get(bundler)!;
    const before = emulator.log.entries.length;
    const outDir = await buildWith(bundler, root, fixtureOptions(root, emulator, messages), 'dist-warm');
    expect(emulator.log.entries.length - before).toBe(0);
    await checkOutput(outDir, await evaluate(outDir));
    expect(await readTree(join(root, '.seedream'))).toEqual(caches.get(bundler));
  });

  it('the key reached the emulator and nothing else', async () => {
    expect(emulator.log.generations().every((entry) => entry.status === 200)).toBe(true);
    const needle = Buffer.from(FAKE_KEY);
    for (const [bundler, root] of roots) for (const [name, bytes] of await readTree(root)) expect(bytes.includes(needle), `${bundler}: ${name}`).toBe(false);
    expect(JSON.stringify(messages)).not.toContain(FAKE_KEY);
  });
});

describe('watch mode', () => {
  afterAll(cleanup);

  // webpack and Rspack make their image modules themselves (scheme hooks, virtual files): a changed reference
  // must still rebuild the modules made from it.
  it.each(['webpack', 'rspack'] as const)('%s: a changed reference image rebuilds the modules that use it, with the new images', async (bundler) => {
    const emulator = await testEmulator();
    const root = await copyFixture();
    const config = {
      mode: 'development' as const,
      devtool: false as const,
      context: root,
      entry: './src/main.js',
      output: { path: join(root, 'dist'), filename: 'main.js' },
      infrastructureLogging: { level: 'none' as const },
    };
    const options = fixtureOptions(root, emulator, { info: [], warn: [] });
    const compiler =
      bundler === 'webpack'
        ? (await import('webpack')).default({ ...config, plugins: [webpackPlugin(options)] })
        : (await import('@rspack/core')).rspack({ ...config, plugins: [rspackPlugin(options)] });
    // Both the inline kite and the named hero are made from src/ref.png.
    const urls = async () => (await readFile(join(root, 'dist/main.js'), 'utf8')).match(/\/assets\/(a-red-kite-over-dunes|hero)-[0-9a-f]{8}\.(jpg|png)/g)!;
    // Other rebuilds may come first (the cache being written): wait for the one with new URLs.
    let first: Set<string> | undefined;
    let changed: Set<string> | undefined;
    await new Promise<void>((resolve, reject) => {
      type Stats = { hasErrors(): boolean; toString(options: string): string };
      type Watch = (options: object, handler: (error: Error | null, stats?: Stats) => void) => { close(callback: () => void): void };
      const watching = (compiler as unknown as { watch: Watch }).watch({ aggregateTimeout: 50 }, async (error, stats) => {
        if (error || stats?.hasErrors()) return reject(error ?? new Error(stats?.toString('errors-only')));
        const built = new Set(await urls());
        if (!first) {
          first = built;
          const reference = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 10, b: 10 } } })
            .png()
            .toBuffer();
          await new Promise((wait) => setTimeout(wait, 200));
          await writeFile(join(root, 'src/ref.png'), reference);
        } else if ([...built].some((url) => !first!.has(url))) {
          changed = built;
          watching.close(() => resolve());
        }
      });
    });
    expect([first!.size, changed!.size]).toEqual([2, 2]);
    expect([...changed!].filter((url) => first!.has(url))).toEqual([]);
    // Four images, then the two made from the reference again.
    expect(emulator.log.generations()).toHaveLength(6);
  });
});

describe('persistent cache', () => {
  afterAll(cleanup);

  // Image modules are built in every compilation: a module restored from the bundler's cache would emit nothing.
  it.each(['webpack', 'rspack'] as const)('%s: a build from a filled persistent cache still emits every image', async (bundler) => {
    const emulator = await testEmulator();
    const root = await copyFixture();
    const options = fixtureOptions(root, emulator, { info: [], warn: [] });
    for (const out of ['dist', 'dist-cached']) {
      const config = {
        mode: 'production' as const,
        context: root,
        entry: './src/main.js',
        output: { path: join(root, out), filename: 'main.js' },
        infrastructureLogging: { level: 'none' as const },
      };
      const compiler =
        bundler === 'webpack'
          ? (await import('webpack')).default({
              ...config,
              cache: { type: 'filesystem', cacheDirectory: join(root, '.cache') },
              plugins: [webpackPlugin(options)],
            })
          : (await import('@rspack/core')).rspack({
              ...config,
              cache: { type: 'persistent', storage: { type: 'filesystem', directory: join(root, '.cache') } },
              plugins: [rspackPlugin(options)],
            });
      type Run = (callback: (error: Error | null, stats?: { hasErrors(): boolean; toString(options: string): string }) => void) => void;
      await new Promise<void>((resolve, reject) =>
        (compiler as unknown as { run: Run }).run((error, stats) =>
          error || stats?.hasErrors() ? reject(error ?? new Error(stats?.toString('errors-only'))) : resolve(),
        ),
      );
      await new Promise<void>((resolve) => (compiler as unknown as { close(callback: () => void): void }).close(() => resolve()));
    }
    const [first, second] = await Promise.all(['dist', 'dist-cached'].map((out) => readTree(join(root, out, 'assets'))));
    expect(first!.size).toBe(4 + 6);
    expect([...second!.keys()]).toEqual([...first!.keys()]);
    expect(emulator.log.generations()).toHaveLength(4);
  });
});

describe('CI mode', () => {
  afterAll(async () => {
    vi.unstubAllEnvs();
    await cleanup();
  });

  it.each(BUNDLERS)('%s: CI set, empty cache: no request at all, offline art with the right pixels, nothing cached', async (bundler) => {
    vi.stubEnv('CI', 'true');
    const emulator = await testEmulator();
    const root = await copyFixture();
    const messages: Messages = { info: [], warn: [] };
    const { offline: _offline, ...options } = fixtureOptions(root, emulator, messages);
    const outDir = await buildWith(bundler, root, options);
    expect(emulator.log.entries).toHaveLength(0);
    expect(messages.warn.filter((message) => /missing from the cache; using the offline placeholder art/.test(message))).toHaveLength(4);
    await checkOutput(outDir, await evaluate(outDir));
    expect((await readTree(root)).has('.seedream/seedream.lock.json')).toBe(false);
  });

  // webpack gets CommonJS image modules: an importer that is strictly an ES module must see the same exports.
  it.each(BUNDLERS)('%s: an ES-module app ("type": "module") gets the same default and named exports', async (bundler) => {
    vi.stubEnv('CI', 'true');
    const emulator = await testEmulator();
    const root = await copyFixture();
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    const { offline: _offline, ...options } = fixtureOptions(root, emulator, { info: [], warn: [] });
    await checkOutput(join(root, 'dist'), await evaluate(await buildWith(bundler, root, options)));
  });

  // webpack builds a default-only module for importers that read only `default` and a CommonJS one for the others.
  it.each(BUNDLERS)('%s: default, named, namespace, re-exported and dynamic imports of one image see the same image', async (bundler) => {
    vi.stubEnv('CI', 'true');
    const emulator = await testEmulator();
    const root = await copyFixture();
    await writeFile(join(root, 'src/named.js'), "export { src as heroSrc, width as heroWidth } from 'seedream:hero';\n");
    await writeFile(join(root, 'src/again.js'), "export { default as heroAgain } from 'seedream:hero';\n");
    await writeFile(join(root, 'src/lazy.js'), "export const lazyHero = () => import('seedream:hero');\n");
    await writeFile(
      join(root, 'src/main.js'),
      [
        "import hero from 'seedream:hero';",
        "import * as heroNamespace from 'seedream:hero';",
        "import { heroSrc, heroWidth } from './named.js';",
        "import { heroAgain } from './again.js';",
        "import { lazyHero } from './lazy.js';",
        'const lazy = await lazyHero();',
        'globalThis.seedreamImages = { hero, heroSrc, heroWidth, heroAgain, namespaceDefault: heroNamespace.default, namespaceAlt: heroNamespace.alt, lazyDefault: lazy.default, lazyHeight: lazy.height };',
        '',
      ].join('\n'),
    );
    const { offline: _offline, ...options } = fixtureOptions(root, emulator, { info: [], warn: [] });
    const seen = (await evaluate(await buildWith(bundler, root, options))) as unknown as Record<string, unknown> & { hero: ImageModule };
    const { hero } = seen;
    expect(hero).toMatchObject(EXPECTED.hero);
    expect(seen).toEqual({
      hero,
      heroSrc: hero.src,
      heroWidth: 1280,
      heroAgain: hero,
      namespaceDefault: hero,
      namespaceAlt: 'Lighthouse',
      lazyDefault: hero,
      lazyHeight: 720,
    });
  });

  it('strict: a miss fails the build, naming the image', async () => {
    const emulator = await testEmulator();
    const root = await copyFixture();
    await expect(buildWith('rollup', root, fixtureOptions(root, emulator, { info: [], warn: [] }, { offline: true, strict: true }))).rejects.toThrow(
      /is missing from the cache and strict mode forbids the offline art/,
    );
    expect(emulator.log.entries).toHaveLength(0);
  });
});
