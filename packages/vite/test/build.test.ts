/**
 * Real `vite build`s of the `basic` fixture (two named images, two inline ones, one local reference image)
 * against a real emulator over HTTP, inspecting the output and the committed cache.
 */
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InlineConfig } from 'vite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FAKE_KEY,
  type ImageModule,
  BASIC_IMAGES,
  buildInMemory,
  bytesOf,
  captureLogger,
  cleanup,
  copyFixture,
  evaluateImages,
  imageAssets,
  metadataOf,
  mtimes,
  online,
  readLock,
  readTree,
  sha256,
  testEmulator,
} from './helpers.js';

afterEach(async () => {
  vi.unstubAllEnvs();
  await cleanup();
});

const EXPECTED = {
  hero: { width: 1280, height: 720, format: 'png', alt: 'Lighthouse', asset: /^assets\/hero-[\w-]+\.png$/ },
  card: { width: 1024, height: 1024, format: 'jpeg', alt: 'a paper boat on a pond', asset: /^assets\/card-[\w-]+\.jpg$/ },
  kite: { width: 512, height: 512, format: 'jpeg', alt: 'a red kite over dunes', asset: /^assets\/a-red-kite-over-dunes-[\w-]+\.jpg$/ },
  tinted: { width: 1280, height: 720, format: 'jpeg', alt: 'Harbour', asset: /^assets\/a-tinted-harbour-[\w-]+\.jpg$/ },
} as const;

describe('vite build', () => {
  it('emits every image as a hashed asset with the dimensions and format the module reports', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    const files = await buildInMemory(root, online(emulator));

    const assets = imageAssets(files);
    expect(assets).toHaveLength(4);
    const images = await evaluateImages(files);
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const image = images[name]!;
      expect(image.src).toMatch(new RegExp(`^/${expected.asset.source.slice(1, -1)}$`));
      const asset = files.get(image.src.slice(1));
      expect(asset, `${name} is emitted`).toBeDefined();
      const metadata = await metadataOf(bytesOf(asset!));
      expect({ width: metadata.width, height: metadata.height, format: metadata.format }).toEqual({
        width: expected.width,
        height: expected.height,
        format: expected.format,
      });
      expect(image).toMatchObject({ width: expected.width, height: expected.height, format: expected.format, alt: expected.alt });
      // The ThumbHash preview is a real, tiny WebP with the image's aspect ratio.
      expect(image.placeholder).toMatch(/^data:image\/webp;base64,/);
      expect(image.placeholder.length).toBeLessThan(600);
      const preview = await metadataOf(Buffer.from(image.placeholder.split(',')[1]!, 'base64'));
      expect(preview.format).toBe('webp');
      expect(Math.max(preview.width!, preview.height!)).toBe(32);
      expect(preview.width! / preview.height!).toBeCloseTo(expected.width / expected.height, 0);
    }
    expect(images.cardWidth).toBe(1024);

    // One generation per image, asking for base64 so no temporary URL is ever downloaded.
    const generations = emulator.log.generations();
    expect(generations).toHaveLength(4);
    for (const entry of generations) {
      expect(entry.status).toBe(200);
      expect(entry.body).toMatchObject({ response_format: 'b64_json', watermark: false });
    }
    const hero = generations.find((entry) => (entry.body as { prompt: string }).prompt === 'a lighthouse at dusk')!;
    expect(hero.body).toMatchObject({ model: 'doubao-seedream-5-0-pro-260628', size: '1280x720', output_format: 'png' });
    expect(String((hero.body as { image: unknown }).image)).toMatch(/^data:image\/png;base64,/);
    const kite = generations.find((entry) => (entry.body as { prompt: string }).prompt === 'a red kite over dunes')!;
    expect(kite.body).toMatchObject({ seed: 7, size: '512x512' });

    // The committed cache: one content-addressed file per image plus the lock file.
    const lock = await readLock(root);
    expect(Object.keys(lock.entries)).toHaveLength(4);
    const cache = await readTree(join(root, '.seedream'));
    for (const entry of Object.values(lock.entries)) {
      expect(entry.file).toMatch(/^[0-9a-f]{16}\.(png|jpg)$/);
      expect(sha256(cache.get(entry.file)!)).toBe(entry.sha256);
      expect(entry.file.slice(0, 16)).toBe(entry.sha256.slice(0, 16));
      expect(entry.source).toBe('api');
    }
    expect([...cache.keys()].sort()).toEqual([...Object.values(lock.entries).map((entry) => entry.file), 'seedream.lock.json'].sort());
  });

  it("honours Vite's base in the image URLs", async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    const images = await evaluateImages(await buildInMemory(root, online(emulator), { config: { base: '/app/' } }));
    expect(images.hero!.src).toMatch(/^\/app\/assets\/hero-[\w-]+\.png$/);
  });

  it('names files after their content where Vite adds nothing to the URL, and leaves them to Vite where it does', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    // buildInMemory's build options, with some added (its `config` replaces `build` whole).
    const heroOf = async (config: InlineConfig, build: InlineConfig['build'] = {}, output?: object) => {
      const rolldownOptions = { input: join(root, 'src/main.js'), preserveEntrySignatures: 'strict' as const, ...(output ? { output } : {}) };
      const files = await buildInMemory(root, online(emulator), {
        config: { ...config, build: { write: false, modulePreload: false, rolldownOptions, ...build } },
      });
      const { src } = (await evaluateImages(files)).hero!;
      return { src, files };
    };
    // An absolute base (a path, or a CDN URL): a literal URL to <assetsDir>/<name>-<8 hex of the SHA-256>.
    const plain = await heroOf({});
    const bytes = bytesOf(plain.files.get(plain.src.slice(1))!);
    expect(plain.src).toBe(`/assets/hero-${sha256(bytes).slice(0, 8)}.png`);
    const cdn = await heroOf({ base: 'https://cdn.example/app/' }, { assetsDir: 'static' });
    expect(cdn.src).toBe(`https://cdn.example/app/static/hero-${sha256(bytes).slice(0, 8)}.png`);
    expect(bytesOf(cdn.files.get(`static/hero-${sha256(bytes).slice(0, 8)}.png`)!).equals(bytes)).toBe(true);
    // Where Vite has a say (renderBuiltUrl, assetFileNames, a relative base), the asset is Vite's to name.
    const rendered = await heroOf({ experimental: { renderBuiltUrl: (fileName) => `https://img.example/${fileName}` } });
    expect(rendered.src).toMatch(/^https:\/\/img\.example\/assets\/hero-[\w-]{8}\.png$/);
    expect(rendered.src).not.toContain(sha256(bytes).slice(0, 8));
    const named = await heroOf({}, {}, { assetFileNames: 'img/[name].[hash][extname]' });
    expect(named.src).toMatch(/^\/img\/hero\.[\w-]+\.png$/);
    for (const { src, files } of [rendered, named]) {
      const path = src.replace(/^https:\/\/img\.example\//, '').replace(/^\//, '');
      expect(bytesOf(files.get(path)!).equals(bytes)).toBe(true);
    }
    expect(emulator.log.generations()).toHaveLength(4);
  });

  it('makes no generation request on the second build and produces byte-identical output without touching the cache', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    const first = await buildInMemory(root, online(emulator));
    expect(emulator.log.generations()).toHaveLength(4);
    const cacheBefore = await readTree(join(root, '.seedream'));
    const timesBefore = await mtimes(join(root, '.seedream'));

    const logger = captureLogger();
    const second = await buildInMemory(root, online(emulator), { logger });
    expect(emulator.log.generations()).toHaveLength(4);
    expect(logger.messages.filter((message) => /generating/.test(message.text))).toEqual([]);

    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [name, file] of first) expect(sha256(bytesOf(second.get(name)!)), name).toBe(sha256(bytesOf(file)));
    expect(await readTree(join(root, '.seedream'))).toEqual(cacheBefore);
    expect(await mtimes(join(root, '.seedream'))).toEqual(timesBefore);
  });

  it.each([
    ['CI is set', {}, true],
    ['offline: true', { offline: true }, false],
  ])('never touches the network when %s: a miss gets the offline art and a warning', async (_, extra, setCi) => {
    if (setCi) vi.stubEnv('CI', 'true');
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    const logger = captureLogger();
    const { offline: _offline, ...options } = online(emulator);
    const files = await buildInMemory(root, { ...options, ...extra }, { logger });

    expect(emulator.log.entries).toHaveLength(0);
    const warnings = logger.messages.filter((message) => message.level === 'warn').map((message) => message.text);
    expect(warnings).toHaveLength(4);
    for (const warning of warnings) expect(warning).toMatch(/missing from the cache; using the offline placeholder art/);
    // The build still works: the offline art has the requested size and the model's format.
    const images = await evaluateImages(files);
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const metadata = await metadataOf(bytesOf(files.get(images[name]!.src.slice(1))!));
      expect([metadata.width, metadata.height, metadata.format]).toEqual([expected.width, expected.height, expected.format]);
    }
    // Offline art is never cached: a later online build must still generate the real images.
    await expect(readFile(join(root, '.seedream', 'seedream.lock.json'))).rejects.toThrow(/ENOENT/);
  });

  it('fails the build on a miss in strict mode, and passes with a complete cache', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await expect(buildInMemory(root, online(emulator, { offline: true, strict: true }))).rejects.toThrow(
      /is missing from the cache and strict mode forbids the offline art/,
    );
    expect(emulator.log.entries).toHaveLength(0);

    await buildInMemory(root, online(emulator));
    expect(emulator.log.generations()).toHaveLength(4);
    vi.stubEnv('CI', '1');
    const { offline: _offline, ...options } = online(emulator, { strict: true });
    const files = await buildInMemory(root, options);
    expect(imageAssets(files)).toHaveLength(4);
    expect(emulator.log.generations()).toHaveLength(4);
  });

  it('detects a truncated cache file and regenerates it (and only it)', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    const first = await buildInMemory(root, online(emulator));
    const lock = await readLock(root);
    const hero = Object.values(lock.entries).find((entry) => entry.request.prompt === 'a lighthouse at dusk')!;
    const heroPath = join(root, '.seedream', hero.file);
    const original = await readFile(heroPath);
    await truncate(heroPath, Math.floor(original.byteLength / 2));

    const logger = captureLogger();
    const second = await buildInMemory(root, online(emulator), { logger });
    expect(logger.messages.some((message) => message.level === 'warn' && /corrupt cache entry: .*does not match its recorded SHA-256/.test(message.text))).toBe(
      true,
    );
    const generations = emulator.log.generations();
    expect(generations).toHaveLength(5);
    expect((generations[4]!.body as { prompt: string }).prompt).toBe('a lighthouse at dusk');
    expect(await readFile(heroPath)).toEqual(original);
    for (const [name, file] of first) expect(sha256(bytesOf(second.get(name)!)), name).toBe(sha256(bytesOf(file)));
  });

  it('treats a deleted cache file as corrupt too, and repairs it offline only with the offline art', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await buildInMemory(root, online(emulator));
    const card = Object.values((await readLock(root)).entries).find((entry) => entry.request.prompt === 'a paper boat on a pond')!;
    await rm(join(root, '.seedream', card.file));
    await expect(buildInMemory(root, online(emulator, { offline: true, strict: true }))).rejects.toThrow(/corrupt cache entry: .* is missing/);
    expect(emulator.log.generations()).toHaveLength(4);
  });

  it('never writes the API key into the bundle, the cache, the lock file or the logs', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    const logger = captureLogger();
    const files = await buildInMemory(root, online(emulator), { logger });
    // The key did reach the API (the emulator only accepts this one)…
    expect(emulator.log.generations().every((entry) => entry.status === 200)).toBe(true);
    // …and nowhere else.
    const needle = Buffer.from(FAKE_KEY);
    for (const [name, file] of files) expect(bytesOf(file).includes(needle), name).toBe(false);
    for (const [name, bytes] of await readTree(root)) expect(bytes.includes(needle), name).toBe(false);
    expect(JSON.stringify(logger.messages)).not.toContain(FAKE_KEY);
  });

  it('keeps the key out of the error when the API rejects it', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator({ apiKeys: ['another-key-entirely'] });
    const error = await buildInMemory(root, online(emulator)).then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(`${error!.message}\n${error!.stack}`).not.toContain(FAKE_KEY);
    expect(error!.message).toMatch(/401|auth/i);
  });

  it('shares one generation between identical requests and keeps to the concurrency limit', async () => {
    const root = await copyFixture('basic');
    await writeFile(
      join(root, 'src/main.js'),
      [
        "import a from 'seedream:?prompt=twin%20peaks&model=doubao-seedream-3-0-t2i-250415&size=512x512&alt=First';",
        "import b from 'seedream:?prompt=twin%20peaks&model=doubao-seedream-3-0-t2i-250415&size=512x512&alt=Second';",
        "import c from 'seedream:twins';",
        ...[1, 2, 3, 4].map((n) => `import d${n} from 'seedream:?prompt=frame%20${n}&model=doubao-seedream-3-0-t2i-250415&size=512x512';`),
        'export const images = { a, b, c, d1, d2, d3, d4 };',
      ].join('\n'),
    );
    const emulator = await testEmulator({ latency: 150 });
    const files = await buildInMemory(
      root,
      online(emulator, { concurrency: 2, images: { twins: { prompt: 'twin peaks', model: 'doubao-seedream-3-0-t2i-250415', size: '512x512' } } }),
    );
    const generations = emulator.log.generations();
    expect(generations.map((entry) => (entry.body as { prompt: string }).prompt).sort()).toEqual(['frame 1', 'frame 2', 'frame 3', 'frame 4', 'twin peaks']);
    // At no moment were more than two requests open.
    for (const entry of generations) {
      const open = generations.filter((other) => other.startedAt <= entry.startedAt && (other.endedAt ?? Infinity) > entry.startedAt);
      expect(open.length).toBeLessThanOrEqual(2);
    }
    const images = await evaluateImages(files);
    expect(images.a!.src).toBe(images.b!.src);
    // The named image is the same bytes under its own name (one generation, two labels).
    expect(images.c!.src).toMatch(/^\/assets\/twins-[0-9a-f]{8}\.jpg$/);
    expect(bytesOf(files.get(images.c!.src.slice(1))!).equals(bytesOf(files.get(images.a!.src.slice(1))!))).toBe(true);
    expect([images.a!.alt, images.b!.alt, images.c!.alt]).toEqual(['First', 'Second', 'twin peaks']);
  });

  it('keeps the images already paid for when another generation fails the build', async () => {
    // Rolldown lets loads in flight settle before it reports the error; the plugin then closes without
    // cancelling, so both answers are cached and a fixed build does not pay for them again.
    const root = await copyFixture('basic');
    await writeFile(
      join(root, 'src/main.js'),
      [
        // The emulator answers 400 at once for a seed on 4.0 (rejectUnsupportedParams), while the two others
        // are still being generated.
        "import bad from 'seedream:?prompt=bad&model=doubao-seedream-4-0-250828&size=1280x720&seed=1';",
        "import a from 'seedream:?prompt=slow%20one&model=doubao-seedream-3-0-t2i-250415&size=512x512';",
        "import b from 'seedream:?prompt=slow%20two&model=doubao-seedream-3-0-t2i-250415&size=512x512';",
        'export const images = { bad, a, b };',
      ].join('\n'),
    );
    const emulator = await testEmulator({ latency: 300, rejectUnsupportedParams: true });
    await expect(buildInMemory(root, online(emulator))).rejects.toThrow(/seed/);
    const lock = await readLock(root);
    expect(
      Object.values(lock.entries)
        .map((entry) => entry.request.prompt)
        .sort(),
    ).toEqual(['slow one', 'slow two']);
    expect(emulator.log.generations().every((entry) => !entry.aborted)).toBe(true);
  });

  it('regenerates only the image whose prompt changed', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await buildInMemory(root, online(emulator));
    const images = { ...BASIC_IMAGES, card: 'a paper boat on a stormy pond' };
    const files = await buildInMemory(root, online(emulator, { images }));
    const generations = emulator.log.generations();
    expect(generations).toHaveLength(5);
    expect((generations[4]!.body as { prompt: string }).prompt).toBe('a paper boat on a stormy pond');
    expect((await evaluateImages(files)).card!.alt).toBe('a paper boat on a stormy pond');
  });

  it('keys reference images by their bytes: moving the file costs nothing, changing a pixel regenerates', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await buildInMemory(root, online(emulator));
    const reference = await readFile(join(root, 'src/ref.png'));
    await writeFile(join(root, 'moved.png'), reference);
    const moved = { ...BASIC_IMAGES, hero: { ...(BASIC_IMAGES!.hero as object), prompt: 'a lighthouse at dusk', image: 'moved.png' } };
    await buildInMemory(root, online(emulator, { images: moved }));
    expect(emulator.log.generations()).toHaveLength(4);

    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2980b9' } })
      .png()
      .toFile(join(root, 'moved.png'));
    await buildInMemory(root, online(emulator, { images: moved }));
    expect(emulator.log.generations()).toHaveLength(5);
  });

  it('prunes lock entries and files no build uses, on request only', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await buildInMemory(root, online(emulator));
    await writeFile(join(root, 'src/main.js'), "import hero from 'seedream:hero';\nexport const images = { hero };\n");
    await writeFile(join(root, '.seedream', '.stale.png.123-abcd.tmp'), 'left over by a crash');

    await buildInMemory(root, online(emulator));
    expect(Object.keys((await readLock(root)).entries)).toHaveLength(4);

    await buildInMemory(root, online(emulator, { prune: true }));
    const lock = await readLock(root);
    expect(Object.values(lock.entries).map((entry) => entry.request.prompt)).toEqual(['a lighthouse at dusk']);
    expect([...(await readTree(join(root, '.seedream'))).keys()].sort()).toEqual([Object.values(lock.entries)[0]!.file, 'seedream.lock.json'].sort());
    expect(emulator.log.generations()).toHaveLength(4);
  });

  it('explains an unknown image name and a malformed inline import', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await writeFile(join(root, 'src/main.js'), "import x from 'seedream:heroo';\nexport const images = { x };\n");
    await expect(buildInMemory(root, online(emulator))).rejects.toThrow(/no image named "heroo".*known: hero, card/);
    await writeFile(join(root, 'src/main.js'), "import x from 'seedream:?prompt=a&colour=red';\nexport const images = { x };\n");
    await expect(buildInMemory(root, online(emulator))).rejects.toThrow(/unknown field `colour`/);
    expect(emulator.log.entries).toHaveLength(0);
  });

  it('reads lock entries written without a rendered preview (falls back to the ThumbHash)', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await buildInMemory(root, online(emulator));
    const lockPath = join(root, '.seedream', 'seedream.lock.json');
    const lock = JSON.parse(await readFile(lockPath, 'utf8'));
    for (const entry of Object.values(lock.entries) as { placeholder?: string }[]) delete entry.placeholder;
    await writeFile(lockPath, JSON.stringify(lock));
    const images = await evaluateImages(await buildInMemory(root, online(emulator)));
    expect(emulator.log.generations()).toHaveLength(4);
    for (const image of Object.values(images).filter((value) => typeof value === 'object')) {
      expect(image.placeholder).toMatch(/^data:image\/png;base64,/);
      expect((await metadataOf(Buffer.from(image.placeholder.split(',')[1]!, 'base64'))).format).toBe('png');
    }
  });

  it('refuses an unreadable lock file instead of paying for every image again', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await buildInMemory(root, online(emulator));
    const lockPath = join(root, '.seedream', 'seedream.lock.json');
    const text = await readFile(lockPath, 'utf8');
    await writeFile(lockPath, `<<<<<<< HEAD\n${text}=======\n${text}>>>>>>> branch\n`);
    await expect(buildInMemory(root, online(emulator))).rejects.toThrow(/merge-conflict markers/);
    expect(emulator.log.generations()).toHaveLength(4);
  });

  it('emits responsive variants from the one generated image: a srcset per format and the <picture> sources', async () => {
    const root = await copyFixture('basic');
    await writeFile(
      join(root, 'src/main.js'),
      "import bay from 'seedream:?prompt=a%20quiet%20bay&model=doubao-seedream-3-0-t2i-250415&size=640x480&w=200;400;900&format=webp;avif';\nexport const images = { bay };\n",
    );
    const emulator = await testEmulator();
    const files = await buildInMemory(root, online(emulator));
    expect(emulator.log.generations()).toHaveLength(1);
    const { bay } = (await evaluateImages(files)) as unknown as {
      bay: ImageModule & { srcset: Record<string, string>; sources: { type: string; srcset: string }[] };
    };
    expect(bay).toMatchObject({ width: 640, height: 480, format: 'jpeg' });
    expect(bay.sources.map((source) => source.type)).toEqual(['image/webp', 'image/avif']);
    for (const source of bay.sources) {
      const format = source.type.slice('image/'.length);
      expect(bay.srcset[format]).toBe(source.srcset);
      const candidates = source.srcset.split(', ').map((candidate) => candidate.split(' '));
      // 900 is wider than the image: clamped to 640.
      expect(candidates.map(([, width]) => width)).toEqual(['200w', '400w', '640w']);
      for (const [url, width] of candidates) {
        expect(url).toMatch(new RegExp(`^/assets/a-quiet-bay-${width}-[\\w-]+\\.${format}$`));
        const metadata = await metadataOf(bytesOf(files.get(url!.slice(1))!));
        expect([metadata.format === 'heif' ? 'avif' : metadata.format, `${metadata.width}w`]).toEqual([format, width]);
      }
    }
    // A warm build: no generation, the same bytes.
    const second = await buildInMemory(root, online(emulator));
    expect(emulator.log.generations()).toHaveLength(1);
    for (const [name, file] of files) expect(sha256(bytesOf(second.get(name)!)), name).toBe(sha256(bytesOf(file)));
  });
});
