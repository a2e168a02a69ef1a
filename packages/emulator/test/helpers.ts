import sharp from 'sharp';
import { startEmulator } from '../src/index.js';
import type { Emulator, EmulatorOptions } from '../src/index.js';

export const MODEL_40 = 'doubao-seedream-4-0-250828';
export const MODEL_45 = 'doubao-seedream-4-5-251128';
export const MODEL_LITE = 'doubao-seedream-5-0-260128';
export const MODEL_PRO = 'doubao-seedream-5-0-pro-260628';
/** Smallest 4.0 size (921600 px): keeps rendering cheap. */
export const SMALL = '1280x720';

export async function withEmulator<T>(options: EmulatorOptions, fn: (emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

export function generate(
  emulator: Emulator,
  body: unknown,
  init: { headers?: Record<string, string>; path?: string; key?: string | null; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? 'test-key'}`;
  return fetch(`${emulator.url}${init.path ?? '/v1/images/generations'}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

export async function generateJson(emulator: Emulator, body: Record<string, unknown>, headers?: Record<string, string>) {
  const response = await generate(emulator, body, { headers });
  const json = (await response.json()) as any;
  return { response, json };
}

export async function metadataOf(bytes: Uint8Array | ArrayBuffer) {
  return sharp(Buffer.from(bytes as ArrayBuffer)).metadata();
}

/** A solid-colour PNG as a data URI. */
export async function solidDataUri(color: string, size = 64): Promise<string> {
  const png = await sharp({ create: { width: size, height: size, channels: 3, background: color } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Mean R, G, B of an image. */
export async function meanColor(bytes: Uint8Array | ArrayBuffer): Promise<[number, number, number]> {
  const stats = await sharp(Buffer.from(bytes as ArrayBuffer)).stats();
  return [stats.channels[0]!.mean, stats.channels[1]!.mean, stats.channels[2]!.mean];
}

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Splits an SSE body into events (blank-line separated; `event:` and `data:` lines). */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      return { event, data: data.join('\n') };
    });
}
