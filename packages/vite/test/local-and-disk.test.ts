/**
 * Builds without an API key (the in-process emulator), the upgrade once a key is set, and a build written
 * to disk as `vite build` does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPlaceholder } from '@seedream-kit/emulator';
import { seedream } from '../src/index.js';
import {
  BASIC_DEFAULTS,
  BASIC_IMAGES,
  FAKE_KEY,
  buildInMemory,
  bytesOf,
  cleanup,
  copyFixture,
  evaluateImages,
  metadataOf,
  online,
  readLock,
  readTree,
  testEmulator,
} from './helpers.js';

afterEach(async () => {
  vi.unstubAllEnvs();
  await cleanup();
});

describe('without an API key', () => {
  it('generates through core against an in-process emulator, and regenerates with the API once a key is set', async () => {
    vi.stubEnv('COMETAPI_KEY', '');
    const root = await copyFixture('basic');
    const listening = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const serversBefore = listening();
    const files = await buildInMemory(root, { images: BASIC_IMAGES, defaults: BASIC_DEFAULTS, offline: false });
    // The in-process emulator was started for the misses and closed with the build (its handle leaves
    // the active list a moment after close() resolves).
    await vi.waitFor(() => expect(listening()).toBe(serversBefore), { timeout: 2000, interval: 20 });
    const lock = await readLock(root);
    expect(Object.values(lock.entries).map((entry) => entry.source)).toEqual(['emulator', 'emulator', 'emulator', 'emulator']);

    // It looks like the offline art: the same deterministic scene (the kite has no reference image).
    const kite = (await evaluateImages(files)).kite!;
    const expected = await renderPlaceholder({
      prompt: 'a red kite over dunes',
      width: 512,
      height: 512,
      format: 'jpeg',
      seed: 7,
      model: 'doubao-seedream-3-0-t2i',
      watermark: false,
    });
    expect(bytesOf(files.get(kite.src.slice(1))!).equals(Buffer.from(expected))).toBe(true);

    // Without a key a second build is free…
    const emulator = await testEmulator();
    vi.stubEnv('COMETAPI_KEY', '');
    await buildInMemory(root, { images: BASIC_IMAGES, defaults: BASIC_DEFAULTS, offline: false, baseURL: emulator.baseURL });
    expect(emulator.log.entries).toHaveLength(0);
    // …offline too, where emulator art counts as cached…
    await buildInMemory(root, { ...online(emulator), offline: true, strict: true });
    expect(emulator.log.entries).toHaveLength(0);
    // …and with a key (here from the environment) the emulator's art is replaced by the API's.
    vi.stubEnv('COMETAPI_KEY', FAKE_KEY);
    await buildInMemory(root, { images: BASIC_IMAGES, defaults: BASIC_DEFAULTS, offline: false, baseURL: emulator.baseURL });
    expect(emulator.log.generations()).toHaveLength(4);
    expect(Object.values((await readLock(root)).entries).map((entry) => entry.source)).toEqual(['api', 'api', 'api', 'api']);
  });
});

describe('vite build to disk', () => {
  it('writes index.html, the bundle and the hashed images; the page references them', async () => {
    const root = await copyFixture('basic');
    const emulator = await testEmulator();
    await build({ root, configFile: false, logLevel: 'silent', plugins: [seedream(online(emulator))] });
    const dist = await readTree(join(root, 'dist'));
    const html = dist.get('index.html')!.toString();
    const script = /<script type="module" crossorigin src="\/(assets\/index-[\w-]+\.js)">/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const code = dist.get(script!)!.toString();
    const images = [...dist.keys()].filter((name) => /\.(png|jpg)$/.test(name)).sort();
    expect(images).toHaveLength(4);
    for (const image of images) {
      expect(code).toContain(`/${image}`);
      const metadata = await metadataOf(dist.get(image)!);
      expect(metadata.format).toBe(image.endsWith('.png') ? 'png' : 'jpeg');
    }
    const hero = images.find((name) => name.startsWith('assets/hero-'))!;
    expect(await metadataOf(dist.get(hero)!)).toMatchObject({ width: 1280, height: 720 });
    const cacheFile = Object.values((await readLock(root)).entries).find((entry) => entry.request.prompt === 'a lighthouse at dusk')!.file;
    expect(dist.get(hero)!.equals(await readFile(join(root, '.seedream', cacheFile)))).toBe(true);
    for (const [name, bytes] of dist) expect(bytes.includes(Buffer.from(FAKE_KEY)), name).toBe(false);
  });
});
