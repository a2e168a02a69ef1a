import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  BadRequestError,
  createSeedream,
  InternalServerError,
  type ImageStream,
  type ImageStreamEvent,
  type SucceededImage,
} from '../src/index.js';
import { caught, clientFor, FAKE_KEY, fault, rawServer, withEmulator } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.log.clear());

const V40 = 'doubao-seedream-4-0-250828';
const group = (n: number) => ({ prompt: `a series of ${n} images of boats`, size: '1K', sequential_image_generation: 'auto' as const, stream: true as const });

async function collect(stream: ImageStream): Promise<ImageStreamEvent[]> {
  const events: ImageStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** A raw SSE server answering `body` (a string, or a function writing to the response). */
async function sseServer(body: string) {
  return rawServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-raw-1' });
    response.end(body);
  });
}

describe('streaming against the emulator', () => {
  it('yields typed events in order and ends with completed', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(3));
    expect(stream.requestId).toBe(emu.log.generations()[0]!.requestId);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await collect(stream);
    expect(events.map((event) => event.type)).toEqual([
      'image_generation.partial_succeeded',
      'image_generation.partial_succeeded',
      'image_generation.partial_succeeded',
      'image_generation.completed',
    ]);
    const first = events[0] as Extract<ImageStreamEvent, { type: 'image_generation.partial_succeeded' }>;
    expect(first).toMatchObject({ image_index: 0, model: V40, size: expect.stringMatching(/^\d+x\d+$/) });
    expect(first.url).toBe(first.image.url);
    expect(events.at(-1)).toMatchObject({ usage: { generated_images: 3 } });
    expect(emu.log.generations()[0]!.aborted).toBe(false);
  });

  it('finalResult() collects the images in index order', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(2));
    const result = await stream.finalResult();
    expect(result.images.map((image) => image.index)).toEqual([0, 1]);
    expect(result.usage?.generated_images).toBe(2);
    expect(result.requestId).toBe(stream.requestId);
  });

  it('decodes b64_json events into bytes', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate({ ...group(1), response_format: 'b64_json' });
    const result = await stream.finalResult();
    const image = result.images[0] as SucceededImage;
    expect(image.url).toBeUndefined();
    const meta = await sharp(image.bytes!).metadata();
    expect([meta.width, meta.height]).toEqual([image.width, image.height]);
  });

  it('a failed slot is an event, not an error; the stream goes on', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(3), fault('fail-image=1'));
    const events = await collect(stream);
    expect(events.map((event) => event.type)).toEqual([
      'image_generation.partial_succeeded',
      'image_generation.partial_failed',
      'image_generation.partial_succeeded',
      'image_generation.completed',
    ]);
    expect(events[1]).toMatchObject({ image_index: 1, error: { code: 'OutputImageSensitiveContentDetected' }, image: { index: 1 } });
  });

  it('an error event mid-stream → APIError carrying the images received before it', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(3), fault('stream-error=2'));
    const seen: ImageStreamEvent[] = [];
    const error = await caught<InternalServerError>(async () => {
      for await (const event of stream) seen.push(event);
    });
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.code).toBe('InternalServiceError');
    expect(seen).toHaveLength(2);
    expect(error.partialResult?.images.map((image) => (image as SucceededImage).url)).toEqual(seen.map((event) => (event as { url?: string }).url));
    // finalResult() (e.g. from another part of the app) rejects with the same error
    await expect(stream.finalResult()).rejects.toBe(error);
  });

  it('a stream cut before completed → APIConnectionError with every image received', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(2), fault('truncate'));
    const error = await caught<APIConnectionError>(stream.finalResult());
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.partialResult?.images).toHaveLength(2);
    expect(error.requestId).toBe(stream.requestId);
  });

  it('a stalled stream → APITimeoutError (idle) with the images so far', async () => {
    const stream = await clientFor(emu, { model: V40, streamIdleTimeout: 1500 }).generate(group(3), fault('stall-stream=1'));
    const error = await caught<APITimeoutError>(collect(stream));
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error).toMatchObject({ phase: 'idle', timeout: 1500 });
    expect(error.partialResult?.images).toHaveLength(1);
    expect((await emu.log.waitFor((entry) => entry.aborted)).aborted).toBe(true);
  });

  it('the idle timer does not run while the caller is busy with an event', async () => {
    const stream = await clientFor(emu, { model: V40, streamIdleTimeout: 1500 }).generate(group(2));
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      await new Promise((resolve) => setTimeout(resolve, 2000)); // longer than the idle limit
    }
    expect(types.at(-1)).toBe('image_generation.completed');
  });

  it('a caller busy past the idle limit does not disarm it: a stall after that still ends as idle', async () => {
    const stream = await clientFor(emu, { model: V40, streamIdleTimeout: 1500 }).generate(group(3), fault('stall-stream=1'));
    const error = await caught<APITimeoutError>(async () => {
      for await (const _ of stream) await new Promise((resolve) => setTimeout(resolve, 2000)); // the timer fires while paused
    });
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error).toMatchObject({ phase: 'idle', timeout: 1500 });
    expect(error.partialResult?.images).toHaveLength(1);
  });

  it('the idle limit is per silence, not per stream: images 1 s apart finish a 3 s stream under a 1.5 s limit', async () => {
    const stream = await clientFor(emu, { model: V40, streamIdleTimeout: 1500 }).generate(group(3), fault('latency=1000'));
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual([...Array(3).fill('image_generation.partial_succeeded'), 'image_generation.completed']);
  });

  it('breaking out of the loop aborts the request (the emulator sees the client leave)', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(4), fault('latency=300'));
    for await (const event of stream) {
      expect(event.type).toBe('image_generation.partial_succeeded');
      break;
    }
    const entry = await emu.log.waitFor((e) => e.aborted);
    expect(entry.imagesGenerated).toBeLessThan(4);
    await expect(stream.finalResult()).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('abort() and the caller signal stop a stream with APIUserAbortError and keep the partial result', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(3), fault('latency=300'));
    const error = await caught<APIUserAbortError>(async () => {
      for await (const _ of stream) stream.abort();
    });
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error.partialResult?.images).toHaveLength(1);

    const controller = new AbortController();
    const viaSignal = await clientFor(emu, { model: V40 }).generate(group(3), { signal: controller.signal, ...fault('latency=300') });
    setTimeout(() => controller.abort(), 50);
    expect(await caught(viaSignal.finalResult())).toBeInstanceOf(APIUserAbortError);
  });

  it('can be iterated once', async () => {
    const stream = await clientFor(emu, { model: V40 }).generate(group(1));
    await collect(stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/once/);
  });

  it('a validation error of the API is a plain 400 JSON answer → the usual APIError', async () => {
    const error = await caught<BadRequestError>(clientFor(emu, { validation: false }).generate({ prompt: 'x', size: '1x1', stream: true }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.param).toBe('size');
  });
});

describe('stream framing edge cases (raw server)', () => {
  const succeeded = (index: number) =>
    JSON.stringify({
      type: 'image_generation.partial_succeeded',
      model: 'm',
      created: 1,
      image_index: index,
      url: `https://x.test/${index}.png?a=%2F&b=1`,
      size: '2048×2048',
    });
  const completed = JSON.stringify({
    type: 'image_generation.completed',
    model: 'm',
    created: 2,
    usage: { generated_images: 2, output_tokens: 1, total_tokens: 1 },
  });

  it('tolerates missing event lines, CRLF, comments, multi-line data, unknown types; stops at [DONE]', async () => {
    const body = [
      ': keep-alive\r\n\r\n',
      `data: ${succeeded(0)}\r\n\r\n`,
      `event: image_generation.partial_image\ndata: {"type":"image_generation.partial_image","image_index":1}\n\n`,
      `data: {"type":"image_generation.partial_succeeded",\ndata: "image_index":1,"url":"https://x.test/1.png"}\n\n`,
      `event: image_generation.completed\ndata: ${completed}\n\n`,
      'data: [DONE]\n\n',
      `data: ${succeeded(9)}\n\n`,
    ].join('');
    const server = await sseServer(body);
    try {
      const stream = await createSeedream({ baseURL: server.url, apiKey: FAKE_KEY }).generate({ prompt: 'x', stream: true });
      const events = await collect(stream);
      expect(events.map((event) => event.type)).toEqual([
        'image_generation.partial_succeeded',
        'image_generation.partial_succeeded',
        'image_generation.completed',
      ]);
      expect(events[0]).toMatchObject({ url: 'https://x.test/0.png?a=%2F&b=1', image: { width: 2048, height: 2048 } });
      expect(stream.requestId).toBe('req-raw-1');
    } finally {
      await server.close();
    }
  });

  it('[DONE] without completed is an error that keeps the images', async () => {
    const server = await sseServer(`data: ${succeeded(0)}\n\ndata: [DONE]\n\n`);
    try {
      const stream = await createSeedream({ baseURL: server.url, apiKey: FAKE_KEY }).generate({ prompt: 'x', stream: true });
      const error = await caught<APIConnectionError>(stream.finalResult());
      expect(error.message).toMatch(/DONE/);
      expect(error.partialResult?.images).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('an error payload without an event line (Go SDK style) is an error too', async () => {
    const server = await sseServer(`data: ${succeeded(0)}\n\ndata: {"error":{"code":"InvalidParameter","message":"bad","type":"BadRequest"}}\n\n`);
    try {
      const stream = await createSeedream({ baseURL: server.url, apiKey: FAKE_KEY }).generate({ prompt: 'x', stream: true });
      const error = await caught<BadRequestError>(collect(stream));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.status).toBe(200);
      expect(error.partialResult?.images).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('a relay that answers stream:true with plain JSON still gives a stream of events', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          model: 'm',
          created: 3,
          data: [{ url: 'https://x.test/a.png' }, { error: { code: 'OutputImageSensitiveContentDetected', message: 'no' } }],
          usage: { generated_images: 1 },
        }),
      );
    });
    try {
      const stream = await createSeedream({ baseURL: server.url, apiKey: FAKE_KEY }).generate({ prompt: 'x', stream: true });
      expect((await collect(stream)).map((event) => event.type)).toEqual([
        'image_generation.partial_succeeded',
        'image_generation.partial_failed',
        'image_generation.completed',
      ]);
    } finally {
      await server.close();
    }
  });

  it('abort() on a stream over a plain JSON answer stops it like a live one, keeping every image', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-json-1' });
      response.end(JSON.stringify({ model: 'm', created: 3, data: [{ url: 'https://x.test/a.png' }, { url: 'https://x.test/b.png' }] }));
    });
    try {
      const client = createSeedream({ baseURL: server.url, apiKey: FAKE_KEY });
      const stream = await client.generate({ prompt: 'x', stream: true });
      const seen: string[] = [];
      const error = await caught<APIUserAbortError>(async () => {
        for await (const event of stream) {
          seen.push(event.type);
          stream.abort();
        }
      });
      expect(seen).toEqual(['image_generation.partial_succeeded']);
      expect(error).toBeInstanceOf(APIUserAbortError);
      expect(error.requestId).toBe('req-json-1');
      expect(error.partialResult?.images.map((image) => image.url)).toEqual(['https://x.test/a.png', 'https://x.test/b.png']);
      expect(await caught(stream.finalResult())).toBeInstanceOf(APIUserAbortError);

      const before = await client.generate({ prompt: 'x', stream: true });
      before.abort();
      expect(await caught(collect(before))).toBeInstanceOf(APIUserAbortError);

      const after = await client.generate({ prompt: 'x', stream: true });
      expect(await collect(after)).toHaveLength(3);
      after.abort(); // after the last event: nothing to stop
      expect((await after.finalResult()).images).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('a server that keeps the socket open after completed does not hang the caller', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${succeeded(0)}\n\ndata: ${completed}\n\n`); // no [DONE], never ends
    });
    try {
      const stream = await createSeedream({ baseURL: server.url, apiKey: FAKE_KEY, streamIdleTimeout: 60_000 }).generate({ prompt: 'x', stream: true });
      const result = await stream.finalResult();
      expect(result.usage?.generated_images).toBe(2);
    } finally {
      await server.close();
    }
  });
});
