/** Shared test fixtures: a real emulator over HTTP, raw node:http servers, tiny real images. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { startEmulator, type Emulator, type EmulatorOptions } from '@seedream-kit/emulator';
import { createSeedream, type SeedreamOptions } from '../src/index.js';
import { createNodeFetch } from '../src/node.js';

/**
 * The fetch the suites' clients use: the built-in one, or `createNodeFetch()` when the `node-fetch` project runs
 * the same suites (vitest.config.ts), so both transports pass one set of behaviours.
 */
export const testFetch: typeof globalThis.fetch | undefined = process.env.SEEDREAM_TEST_FETCH === 'node' ? createNodeFetch() : undefined;

/** A recognisable fake key: tests assert it never shows up in errors. */
export const FAKE_KEY = 'sk-FAKEKEY-0123456789abcdefDONOTLEAK';

export async function withEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, host: '127.0.0.1', ...options });
}

export function clientFor(emu: Emulator, options: SeedreamOptions = {}) {
  return createSeedream({ baseURL: emu.baseURL, apiKey: FAKE_KEY, ...(testFetch ? { fetch: testFetch } : {}), ...options });
}

/** Header that makes the emulator misbehave for one request. */
export const fault = (spec: string) => ({ headers: { 'x-emulator-fault': spec } });

export interface RawServer {
  url: string;
  port: number;
  requests: number;
  close(): Promise<void>;
}

/** A plain node:http server on 127.0.0.1 (for answers the emulator does not give). */
export async function rawServer(handler: http.RequestListener): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const state = { requests: 0 };
  const server = http.createServer((request, response) => {
    state.requests++;
    handler(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound once, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real encoded image of the given format. */
export async function imageBytes(format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff', width = 32, height = 32): Promise<Uint8Array<ArrayBuffer>> {
  const buffer = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .toFormat(format)
    .toBuffer();
  return new Uint8Array(buffer);
}

/** Reads a JSON request body (for raw servers). */
export function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
  });
}

/** Catches the rejection of a promise (or a throwing function) and returns it. */
export async function caught<T = unknown>(work: Promise<unknown> | (() => unknown)): Promise<T> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    return error as T;
  }
  throw new Error('expected a failure, got success');
}
