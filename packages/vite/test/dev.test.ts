/**
 * `vite dev` on 127.0.0.1 with a real HMR WebSocket client: a miss shows the offline art at once, the
 * generated image replaces it over HMR, and editing an inline prompt generates the new image.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seedream, UPDATE_EVENT } from '../src/index.js';
import { FAKE_KEY, MODEL_PRO, cleanup, copyFixture, metadataOf, readLock, sha256, testEmulator } from './helpers.js';

let server: ViteDevServer | undefined;
let socket: WebSocket | undefined;
afterEach(async () => {
  socket?.close();
  await server?.close();
  server = socket = undefined;
  await cleanup();
});

interface HmrMessage {
  type: string;
  event?: string;
  data?: { src: string; width: number; height: number };
  updates?: { path: string }[];
}

/** Connects to Vite's HMR socket like the browser client does; collects every message. */
async function connectHmr(
  devServer: ViteDevServer,
): Promise<{ messages: HmrMessage[]; next: (match: (message: HmrMessage) => boolean) => Promise<HmrMessage> }> {
  const { port } = devServer.httpServer!.address() as AddressInfo;
  const messages: HmrMessage[] = [];
  const waiters: Array<{ match: (message: HmrMessage) => boolean; resolve: (message: HmrMessage) => void }> = [];
  socket = new WebSocket(`ws://127.0.0.1:${port}/?token=${devServer.config.webSocketToken}`, 'vite-hmr');
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as HmrMessage;
    messages.push(message);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(message)) waiter.resolve(message);
      else waiters.push(waiter);
    }
  });
  const next = (match: (message: HmrMessage) => boolean) =>
    new Promise<HmrMessage>((resolve, reject) => {
      const found = messages.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`no matching HMR message; got ${JSON.stringify(messages)}`)), 15_000);
      waiters.push({ match, resolve: (message) => (clearTimeout(timer), resolve(message)) });
    });
  await next((message) => message.type === 'connected');
  return { messages, next };
}

async function get(base: string, path: string): Promise<Response> {
  const response = await fetch(new URL(path, base));
  expect(response.status, path).toBe(200);
  return response;
}

const srcOf = (code: string) => /export const src = "([^"]+)";/.exec(code)?.[1];

describe('vite dev', () => {
  it('serves the offline art at once and swaps in the generated image over HMR', async () => {
    const root = await copyFixture('dev');
    const emulator = await testEmulator({ latency: 400 });
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, ws: {} as never },
      plugins: [
        seedream({
          // With a reference image the emulator tints its art; the offline art ignores references, so the
          // swap is visible in the pixels too.
          images: { hero: { prompt: 'a lighthouse at dusk', model: MODEL_PRO, size: '1280x720', output_format: 'png', image: 'src/ref.png' } },
          apiKey: FAKE_KEY,
          baseURL: emulator.baseURL,
          offline: false,
        }),
      ],
    });
    await server.listen();
    const base = server.resolvedUrls!.local[0]!;
    const hmr = await connectHmr(server);

    // The page's module graph: main.js imports both images.
    await get(base, '/src/main.js');
    const first = await (await get(base, '/@id/__x00__seedream:hero')).text();
    const placeholderSrc = srcOf(first)!;
    expect(placeholderSrc).toMatch(/^\/@seedream\/~offline\/[0-9a-f]{16}\.png$/);
    expect(first).toContain('export const width = 1280;');
    const placeholder = Buffer.from(await (await get(base, placeholderSrc)).arrayBuffer());
    expect(await metadataOf(placeholder)).toMatchObject({ width: 1280, height: 720, format: 'png' });

    // The generated image arrives: the plugin tells the client and re-runs the importer.
    const update = await hmr.next((message) => message.type === 'custom' && message.event === UPDATE_EVENT && /\.png$/.test(message.data?.src ?? ''));
    await hmr.next((message) => message.type === 'update' && (message.updates ?? []).some((item) => item.path === '/src/main.js'));
    const second = await (await get(base, '/@id/__x00__seedream:hero')).text();
    const generatedSrc = srcOf(second)!;
    expect(generatedSrc).toMatch(/^\/@seedream\/[0-9a-f]{16}\.png$/);
    expect(update.data).toMatchObject({ src: generatedSrc, width: 1280, height: 720 });

    const generated = Buffer.from(await (await get(base, generatedSrc)).arrayBuffer());
    const lock = await readLock(root);
    const entry = Object.values(lock.entries).find((item) => item.request.prompt === 'a lighthouse at dusk')!;
    expect(sha256(generated)).toBe(entry.sha256);
    expect(generated.equals(placeholder)).toBe(false);
    expect(await readFile(join(root, '.seedream', entry.file))).toEqual(generated);
    expect(
      emulator.log
        .generations()
        .map((item) => (item.body as { prompt: string }).prompt)
        .sort(),
    ).toEqual(['a lighthouse at dusk', 'a red kite']);
  });

  it('generates the new image when an inline prompt is edited', async () => {
    const root = await copyFixture('dev');
    const emulator = await testEmulator();
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0 },
      plugins: [
        seedream({
          images: { hero: 'a lighthouse at dusk' },
          defaults: { model: 'doubao-seedream-4-0-250828', size: '1280x720' },
          apiKey: FAKE_KEY,
          baseURL: emulator.baseURL,
          offline: false,
        }),
      ],
    });
    await server.listen();
    const base = server.resolvedUrls!.local[0]!;
    const hmr = await connectHmr(server);
    await get(base, '/src/main.js');
    await emulator.log.waitFor((entry) => (entry.body as { prompt?: string } | undefined)?.prompt === 'a red kite' && entry.endedAt !== undefined, 10_000);

    const mainPath = join(root, 'src/main.js');
    await writeFile(mainPath, (await readFile(mainPath, 'utf8')).replace('a%20red%20kite', 'a%20blue%20kite'));
    // The edit reaches the client; the browser would then fetch main.js again, which imports the new id.
    await hmr.next((message) => (message.type === 'update' || message.type === 'full-reload') && hmr.messages.indexOf(message) > 0);
    const code = await (await get(base, '/src/main.js')).text();
    expect(code).toContain('a%20blue%20kite');
    const entry = await emulator.log.waitFor((item) => (item.body as { prompt?: string } | undefined)?.prompt === 'a blue kite', 10_000);
    expect(entry.body).toMatchObject({ model: 'doubao-seedream-3-0-t2i-250415', size: '512x512' });
  });

  it('generates again when a reference image file changes', async () => {
    const root = await copyFixture('dev');
    const emulator = await testEmulator();
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0 },
      plugins: [
        seedream({
          images: { hero: { prompt: 'a lighthouse at dusk', image: 'src/ref.png' } },
          defaults: { model: 'doubao-seedream-4-0-250828', size: '1280x720' },
          apiKey: FAKE_KEY,
          baseURL: emulator.baseURL,
          offline: false,
        }),
      ],
    });
    await server.listen();
    const base = server.resolvedUrls!.local[0]!;
    const hmr = await connectHmr(server);
    const heroRequests = () => emulator.log.generations().filter((entry) => (entry.body as { prompt: string }).prompt === 'a lighthouse at dusk');
    await get(base, '/src/main.js');
    // Both images of main.js generated and swapped in; the hero module now loads from the cache.
    const swapped = () => hmr.messages.filter((message) => message.type === 'custom' && message.event === UPDATE_EVENT).length;
    await hmr.next(() => swapped() === 2);
    expect(srcOf(await (await get(base, '/@id/__x00__seedream:hero')).text())).toMatch(/^\/@seedream\/[0-9a-f]{16}\.jpg$/);
    expect(heroRequests()).toHaveLength(1);

    const seen = hmr.messages.length;
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#27ae60' } })
      .png()
      .toFile(join(root, 'src/ref.png'));
    // The edit reaches the client as an update of the importer; the browser then fetches the module again.
    await hmr.next((message) => (message.type === 'update' || message.type === 'full-reload') && hmr.messages.indexOf(message) >= seen);
    expect(srcOf(await (await get(base, '/@id/__x00__seedream:hero')).text())).toMatch(/^\/@seedream\/~offline\//);
    await emulator.log.waitFor(() => heroRequests().length === 2, 10_000);
    expect(heroRequests()[1]!.body).toMatchObject({ image: expect.stringMatching(/^data:image\/png;base64,/) });
  });

  it('cancels generations in flight when the server closes', async () => {
    const root = await copyFixture('dev');
    const emulator = await testEmulator({ latency: 5000 });
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0 },
      plugins: [
        seedream({
          images: { hero: 'a lighthouse at dusk' },
          defaults: { model: 'doubao-seedream-4-0-250828', size: '1280x720' },
          apiKey: FAKE_KEY,
          baseURL: emulator.baseURL,
          offline: false,
        }),
      ],
    });
    await server.listen();
    await get(server.resolvedUrls!.local[0]!, '/src/main.js');
    await emulator.log.waitFor(() => emulator.log.generations().length === 2, 10_000);
    await server.close();
    server = undefined;
    await vi.waitFor(() => expect(emulator.log.generations().map((entry) => entry.aborted)).toEqual([true, true]), { timeout: 5000 });
  });

  it('in offline mode serves the offline art and never generates', async () => {
    const root = await copyFixture('dev');
    const emulator = await testEmulator();
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0 },
      plugins: [
        seedream({
          images: { hero: 'a lighthouse at dusk' },
          defaults: { model: 'doubao-seedream-4-0-250828', size: '1280x720' },
          apiKey: FAKE_KEY,
          baseURL: emulator.baseURL,
          offline: true,
        }),
      ],
    });
    await server.listen();
    const base = server.resolvedUrls!.local[0]!;
    await get(base, '/src/main.js');
    const code = await (await get(base, '/@id/__x00__seedream:hero')).text();
    const art = Buffer.from(await (await get(base, srcOf(code)!)).arrayBuffer());
    expect(await metadataOf(art)).toMatchObject({ width: 1280, height: 720, format: 'jpeg' });
    expect(emulator.log.entries).toHaveLength(0);
    // The middleware serves only names the cache writes and its in-memory art.
    for (const path of ['/@seedream/..%2f..%2fpackage.json', '/@seedream/seedream.lock.json', '/@seedream/~offline/0000000000000000.jpg']) {
      expect((await fetch(new URL(path, base))).status, path).toBe(404);
    }
  });
});
