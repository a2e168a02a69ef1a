import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpTransport } from '../src/index.js';
import { readServerSentEvents } from '@seedream-kit/core/transport';
import { startStack, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  vi.unstubAllGlobals();
  vi.resetModules();
});

const signal = () => new AbortController().signal;

describe('createHttpTransport', () => {
  it('asks for headers on every call (a CSRF token) and sends JSON', async () => {
    stack = await startStack({ policy: { authorize: (request) => request.headers.get('x-csrf') === 'token-2' } });
    let n = 0;
    const transport = createHttpTransport({ url: stack.url, headers: async () => ({ 'x-csrf': `token-${++n}` }) });
    await expect(transport.generate({ prompt: 'a boat', size: '1024x1024' }, { signal: signal() })).rejects.toMatchObject({ kind: 'permission', status: 403 });
    const result = await transport.generate({ prompt: 'a boat', size: '1024x1024' }, { signal: signal() });
    expect(result.images).toHaveLength(1);
  });

  it('fills b64_json from the data URI when b64_json was asked for, streamed or not', async () => {
    stack = await startStack();
    const transport = createHttpTransport({ url: stack.url });
    const plain = await transport.generate({ prompt: 'a boat', size: '1024x1024', response_format: 'b64_json' }, { signal: signal() });
    expect(plain.images[0]!.b64_json).toMatch(/^\/9j\//);
    expect(plain.images[0]!.url).toBe(`data:image/jpeg;base64,${plain.images[0]!.b64_json}`);
    const events: number[] = [];
    const streamed = await transport.generate(
      { prompt: 'a series of 2 images', size: '1024x1024', sequential_image_generation: 'auto', response_format: 'b64_json', stream: true },
      { signal: signal(), onEvent: (event) => events.push(event.image.index) },
    );
    expect(events).toEqual([0, 1]);
    expect(streamed.images.map((image) => Boolean(image.b64_json))).toEqual([true, true]);
    expect(streamed.usage?.generated_images).toBe(2);
  });

  it('turns a non-JSON error page into a kind by status', async () => {
    const transport = createHttpTransport({
      url: 'http://127.0.0.1:1/never',
      fetch: async () => new Response('<html>Bad gateway</html>', { status: 429, headers: { 'retry-after': '12' } }),
    });
    await expect(transport.generate({ prompt: 'x' }, { signal: signal() })).rejects.toMatchObject({ kind: 'rate_limit', status: 429, retryAfter: 12 });
  });

  it('reports a stream that ends without completing as network, with the images received', async () => {
    const body = 'event: image\ndata: {"index":0,"url":"https://x/0"}\n\n';
    const transport = createHttpTransport({
      url: 'http://127.0.0.1:1/never',
      fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const error = await transport.generate({ prompt: 'x', stream: true }, { signal: signal() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network', partialResult: { images: [{ index: 0 }] } });
  });
});

describe('readServerSentEvents', () => {
  it('parses events split across chunks, CRLF lines, comments and multi-line data', async () => {
    const text = ': ping\r\n\r\nevent: image\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: plain\n\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readServerSentEvents(body)) events.push(event);
    expect(events).toEqual([
      { event: 'image', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
    ]);
  });
});
