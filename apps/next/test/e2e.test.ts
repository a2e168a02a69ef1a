/**
 * The example built with `next build` (Turbopack) and served by `next start`, in headless Chromium.
 *
 * The build runs with a fake COMETAPI_KEY in its environment, and the first server gets that key with the test's
 * emulator as COMETAPI_BASE_URL: the emulator accepts only that key, so each generation it logs proves the route
 * used the key, while nothing the browser receives (and no file of .next/static) contains it. The second server
 * has no key and starts its own emulator in process. Everything listens on 127.0.0.1: nothing reaches the internet.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@seedream-kit/emulator';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import empty from '../art/empty.js';
import hero from '../art/hero.js';
import { type Browser, launchBrowser } from '@seedream-kit/binding-harness';
import { appDir, buildApp, childEnv, type NextServer, startNext } from './helpers/next.ts';

// Built from parts at run time, so the key itself appears in no file of the repository.
const fakeKey = ['sk', 'next', 'example', randomBytes(12).toString('hex')].join('-');

let browser: Browser;
let emulator: Emulator;
let build: { code: number | null; output: string };
const servers: NextServer[] = [];

beforeAll(async () => {
  browser = await launchBrowser({ name: 'next-example', viewport: { width: 1280, height: 900 } }); // first: fails with a clear message when Chromium is missing
  emulator = await startEmulator({ host: '127.0.0.1', port: 0, apiKeys: [fakeKey] });
  build = await buildApp(childEnv({ COMETAPI_KEY: fakeKey, COMETAPI_BASE_URL: emulator.baseURL }));
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => server.stop()));
  await emulator?.close();
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** A page that records the body of every text answer it receives (HTML, RSC payloads, JS, JSON, SSE). */
async function openPage(url: string): Promise<{ page: Page; bodies: string[] }> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(15_000);
  const bodies: string[] = [];
  page.on('response', (response) => {
    if (/image\//.test(response.headers()['content-type'] ?? '')) return;
    void response.text().then(
      (text) => bodies.push(text),
      () => {},
    );
  });
  await page.goto(url);
  await page.getByRole('button', { name: 'Generate' }).waitFor();
  return { page, bodies };
}

/** Fills the form, generates, and returns the generated image's natural size once it has decoded. */
async function generate(page: Page, prompt: string, size: string): Promise<{ width: number; height: number; src: string }> {
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByLabel('Size').selectOption(size);
  await page.getByRole('button', { name: 'Generate' }).click();
  const image = page.getByTestId('generated-image');
  await image.waitFor();
  await expect(page.getByTestId('status').innerText()).resolves.toBe('Done: 1 image');
  await page.waitForFunction(() => ((document.querySelector('[data-testid="generated-image"]') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
  await expect(image.getAttribute('alt')).resolves.toBe(prompt);
  return image.evaluate((img: HTMLImageElement) => ({ width: img.naturalWidth, height: img.naturalHeight, src: img.getAttribute('src') ?? '' }));
}

describe('the Next.js example', () => {
  test('builds from the committed art cache, with no trace of the key or of server-only code in .next/static', async () => {
    expect(build.code, build.output).toBe(0);
    expect(build.output).toContain('0 generated, 2 cached');
    expect(build.output).not.toContain(fakeKey);
    // The art came from .seedream/ and the key was only in the environment: the build sent no request.
    expect(emulator.log.entries).toHaveLength(0);

    const staticFiles = await filesUnder(join(appDir, '.next/static'));
    expect(staticFiles.some((file) => file.endsWith('.js'))).toBe(true);
    // Text that only lib/seedream.ts (server-only) holds: it is in the server output and nowhere in the browser's.
    const serverOnly = ['seedream-next-example-images', 'SEEDREAM_EMULATOR_URL', 'SEEDREAM_ALLOWED_HOSTS'];
    const serverText = (await Promise.all((await filesUnder(join(appDir, '.next/server'))).map((file) => readFile(file, 'latin1')))).join('\n');
    for (const marker of serverOnly) expect(serverText, marker).toContain(marker);
    for (const file of staticFiles) {
      const bytes = await readFile(file);
      expect(bytes.includes(fakeKey), file).toBe(false);
      expect(bytes.includes(Buffer.from(fakeKey).toString('base64')), file).toBe(false);
      for (const marker of [...serverOnly, 'COMETAPI_KEY']) expect(bytes.includes(marker), `${marker} in ${file}`).toBe(false);
    }
  });

  test('with the key: the build-time art renders at its size, a prompt generates an image, the key stays on the server', async () => {
    const server = await startNext(childEnv({ COMETAPI_KEY: fakeKey, COMETAPI_BASE_URL: emulator.baseURL }));
    servers.push(server);
    const { page, bodies } = await openPage(server.url);
    try {
      await expect(page.getByTestId('mode-banner').innerText()).resolves.toMatch(/^CometAPI/);

      // The build-time art: a <picture> of the module's AVIF/WebP variants over the generated JPEG.
      const art = page.getByTestId('hero-art');
      await page.waitForFunction(() => ((document.querySelector('[data-testid="hero-art"]') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
      const shown = await art.evaluate((img: HTMLImageElement) => ({
        width: img.getAttribute('width'),
        height: img.getAttribute('height'),
        alt: img.alt,
        src: img.getAttribute('src') ?? '',
        currentSrc: img.currentSrc,
        ratio: img.naturalWidth / img.naturalHeight,
        box: img.getBoundingClientRect().width / img.getBoundingClientRect().height,
      }));
      expect(shown).toMatchObject({ width: String(hero.width), height: String(hero.height), alt: hero.alt });
      expect([hero.width, hero.height]).toEqual([1280, 720]);
      expect(shown.ratio).toBeCloseTo(16 / 9, 2);
      expect(shown.box).toBeCloseTo(16 / 9, 1);
      expect(shown.src).toMatch(/^\/_next\/static\/media\/.+\.jpg$/);
      expect(shown.currentSrc).toMatch(/\.avif$/); // Chromium takes the first <source> it supports
      const jpeg = await sharp(Buffer.from(await (await fetch(server.url + shown.src)).arrayBuffer())).metadata();
      expect([jpeg.width, jpeg.height, jpeg.format]).toEqual([1280, 720, 'jpeg']);

      // The other piece of build-time art goes through next/image: its optimizer serves the cached file, never upscaled.
      const easel = await page.getByTestId('empty-art').evaluate((img: HTMLImageElement) =>
        img.decode().then(() => ({
          width: img.getAttribute('width'),
          height: img.getAttribute('height'),
          alt: img.alt,
          ratio: img.naturalWidth / img.naturalHeight,
          currentSrc: img.currentSrc,
        })),
      );
      expect(easel).toMatchObject({ width: String(empty.width), height: String(empty.height), alt: empty.alt, ratio: 1 });
      const optimized = new URL(easel.currentSrc);
      expect(optimized.pathname).toBe('/_next/image');
      expect(optimized.searchParams.get('url')).toMatch(/^\/_next\/static\/media\/.+\.jpg$/);
      optimized.searchParams.set('w', '1080');
      const full = await sharp(Buffer.from(await (await fetch(optimized)).arrayBuffer())).metadata();
      expect([full.width, full.height]).toEqual([1024, 1024]);
      expect(emulator.log.generations()).toHaveLength(0);

      // A generation through the route, with the key, against the emulator that accepts only that key.
      const prompt = 'A red kite over a windy beach, bright afternoon';
      const image = await generate(page, prompt, '1280x720');
      expect(image.src).toMatch(/^\/api\/generate\/jobs\/job_[^/]+\/images\/0$/);
      expect([image.width, image.height]).toEqual([1280, 720]);
      const generations = emulator.log.generations();
      expect(generations.map((entry) => entry.status)).toEqual([200]);
      expect(generations[0]!.imagesGenerated).toBe(1);

      bodies.push(await page.content());
      expect(bodies.length).toBeGreaterThan(3);
      for (const body of bodies) expect(body).not.toContain(fakeKey);
      expect(server.output()).not.toContain(fakeKey);
    } finally {
      await page.close();
    }
  });

  test('without a key: the route generates on its own in-process emulator, and refuses other origins', async () => {
    const server = await startNext(childEnv({ SEEDREAM_EMULATOR_LATENCY: '0' }));
    servers.push(server);
    const before = emulator.log.entries.length;
    const { page } = await openPage(server.url);
    try {
      await expect(page.getByTestId('mode-banner').innerText()).resolves.toMatch(/^Offline emulator/);
      const image = await generate(page, 'A lighthouse on a cliff at dusk', '1024x1024');
      expect([image.width, image.height]).toEqual([1024, 1024]);
      const bytes = Buffer.from(await page.evaluate(async (src) => [...new Uint8Array(await (await fetch(src)).arrayBuffer())], image.src));
      const decoded = await sharp(bytes).metadata();
      expect([decoded.width, decoded.height]).toEqual([1024, 1024]);
      expect(server.output()).toMatch(/in-process emulator at http:\/\/127\.0\.0\.1:\d+/);

      const foreign = await fetch(`${server.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
        body: JSON.stringify({ prompt: 'A red kite over a beach', size: '1K' }),
      });
      expect(foreign.status).toBe(403);
      // Neither server mode nor the refusal touched the test's emulator.
      expect(emulator.log.entries).toHaveLength(before);
    } finally {
      await page.close();
    }
  });
});
