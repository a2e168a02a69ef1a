import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import { APIError, APITimeoutError, createSeedream, DEFAULT_MODEL, models, sniffImageType, type GenerateParams, type SucceededImage } from '../src/index.js';
import { createNodeFetch, downloadImage } from '../src/node.js';
import { caught, clientFor, closedPort, FAKE_KEY, fault, imageBytes, rawServer, readBody, withEmulator } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.log.clear());

const lastBody = () => emu.log.generations().at(-1)?.body as Record<string, unknown>;
const succeeded = (image: unknown) => image as SucceededImage;

describe('the request on the wire', () => {
  it('sends the default model, the prompt and only what the caller set, with the key as a bearer token', async () => {
    const result = await clientFor(emu).generate({ prompt: 'a lighthouse at dusk' });
    const entry = emu.log.generations()[0]!;
    expect(entry.method).toBe('POST');
    expect(entry.path).toBe('/v1/images/generations');
    expect(entry.body).toEqual({ model: DEFAULT_MODEL, prompt: 'a lighthouse at dusk' });
    expect(entry.headers.authorization).toBe('Bearer ***');
    expect(entry.headers['content-type']).toBe('application/json');
    expect(result.model).toBe(DEFAULT_MODEL);
    expect(result.images).toHaveLength(1);
  });

  it('passes every documented field through with its wire name, and unknown fields untouched', async () => {
    const params: GenerateParams & { stream?: false } = {
      model: 'doubao-seedream-5-0-260128',
      prompt: 'a harbour, 2 images',
      size: '2560x1440',
      seed: 42,
      guidance_scale: 3,
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: 2 },
      response_format: 'url',
      watermark: false,
      output_format: 'png',
      optimize_prompt_options: { mode: 'standard' },
      tools: [{ type: 'web_search' }],
      some_future_field: { nested: [1, 'two'] },
    };
    const result = await clientFor(emu).generate(params);
    expect(lastBody()).toEqual(params);
    expect(result.images).toHaveLength(2);
    expect(result.tools).toEqual([{ type: 'web_search' }]);
    expect(result.usage?.tool_usage).toEqual({ web_search: expect.any(Number) });
  });

  it('merges client and request headers and lets the request override the client', async () => {
    const client = clientFor(emu, { headers: { 'X-Team': 'art', 'x-trace': 'client' } });
    await client.generate({ prompt: 'x' }, { headers: { 'X-Trace': 'request' } });
    const headers = emu.log.generations()[0]!.headers;
    expect(headers['x-team']).toBe('art');
    expect(headers['x-trace']).toBe('request');
  });

  it('also speaks the Ark path (baseURL …/api/v3)', async () => {
    const client = createSeedream({ baseURL: emu.arkBaseURL, apiKey: FAKE_KEY, model: 'seedream-4-0-250828' });
    const result = await client.generate({ prompt: 'x', size: '1K' });
    expect(emu.log.generations()[0]!.path).toBe('/api/v3/images/generations');
    expect(succeeded(result.images[0]).url).toContain('http');
  });

  it('reads COMETAPI_KEY and COMETAPI_BASE_URL lazily; a missing key fails before any request', async () => {
    const saved = { key: process.env.COMETAPI_KEY, base: process.env.COMETAPI_BASE_URL };
    try {
      delete process.env.COMETAPI_KEY;
      process.env.COMETAPI_BASE_URL = emu.baseURL;
      const client = createSeedream(); // no key anywhere: constructing is fine
      const missing = await caught<Error>(client.generate({ prompt: 'x' }));
      expect(missing.message).toMatch(/COMETAPI_KEY/);
      expect(emu.log.entries).toHaveLength(0);
      process.env.COMETAPI_KEY = FAKE_KEY; // read at the call, not at construction
      const result = await client.generate({ prompt: 'x' });
      expect(result.images).toHaveLength(1);
      expect(client.baseURL).toBe(emu.baseURL);
    } finally {
      if (saved.key === undefined) delete process.env.COMETAPI_KEY;
      else process.env.COMETAPI_KEY = saved.key;
      if (saved.base === undefined) delete process.env.COMETAPI_BASE_URL;
      else process.env.COMETAPI_BASE_URL = saved.base;
    }
  });

  it('sends no Authorization header with apiKey: null (a proxy that adds the key)', async () => {
    let seen: string | undefined = 'unset';
    const server = await rawServer((request, response) => {
      seen = request.headers.authorization;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ model: 'm', created: 1, data: [{ url: 'https://x.test/a.png' }] }));
    });
    try {
      await createSeedream({ baseURL: `${server.url}/v1`, apiKey: null }).generate({ prompt: 'x' });
      expect(seen).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('rejects bad options at construction with a clear message', () => {
    expect(() => createSeedream({ baseURL: 'not a url' })).toThrow(/baseURL/);
    expect(() => createSeedream({ timeout: -1 })).toThrow(/timeout/);
    expect(() => createSeedream({ maxRetries: Number.NaN })).toThrow(/maxRetries/);
  });
});

describe('every model of the table against the emulator', () => {
  const sizeFor = (id: string) => {
    const caps = models.find((model) => model.id === id)!;
    const side = Math.ceil(Math.sqrt(caps.pixelRange[0]));
    return `${side}x${side}`;
  };
  it.each(models.map((model) => model.id))('%s: the smallest exact size and each preset are accepted', async (id) => {
    const caps = models.find((model) => model.id === id)!;
    const client = clientFor(emu, { model: id });
    const image = caps.requiresReferenceImage ? await imageBytes('png', 64, 64) : undefined;
    const base = { prompt: 'a quiet field', ...(image ? { image } : {}) };
    const exact = await client.generate({ ...base, size: sizeFor(id) });
    expect(exact.images[0]).toMatchObject({ size: sizeFor(id) });
    for (const preset of caps.sizePresets.filter((p) => p !== '4K' && p !== '3K')) {
      const result = await client.generate({ ...base, size: preset });
      expect(result.images[0]?.error).toBeUndefined();
    }
  });
});

describe('results', () => {
  it('returns signed URLs byte-exact: the storage host accepts them as given', async () => {
    const result = await clientFor(emu).generate({ prompt: 'x' });
    const url = succeeded(result.images[0]).url!;
    const answered = (emu.log.generations()[0]!.response as { data: Array<{ url: string }> }).data[0]!.url;
    expect(url).toBe(answered);
    expect(url).toMatch(/%2F.*&X-Tos-Signature=/);
    const bytes = await downloadImage(url, { allowHttp: true, allowPrivateNetwork: true });
    expect(sniffImageType(bytes)?.format).toBe('jpeg');
    expect(result.requestId).toBe(emu.log.generations()[0]!.requestId);
    expect(result.headers.get('x-request-id')).toBe(result.requestId);
    expect(result.created).toBeGreaterThan(1_700_000_000);
  });

  it('decodes b64_json into image bytes of the reported size and format', async () => {
    const result = await clientFor(emu, { model: 'doubao-seedream-5-0-260128' }).generate({
      prompt: 'three panels, 3 images',
      size: '2560x1440',
      response_format: 'b64_json',
      output_format: 'png',
      sequential_image_generation: 'auto',
    });
    expect(result.images).toHaveLength(3);
    for (const [index, image] of result.images.entries()) {
      const ok = succeeded(image);
      expect(ok.index).toBe(index);
      expect(ok.url).toBeUndefined();
      const meta = await sharp(ok.bytes!).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual([ok.width, ok.height]);
      expect([ok.width, ok.height]).toEqual([2560, 1440]);
    }
  });

  it('keeps a failed slot of a group as a per-image error; usage counts the successes', async () => {
    const client = clientFor(emu, { model: 'doubao-seedream-4-0-250828' });
    const result = await client.generate({ prompt: 'a series of 4 postcards', size: '1K', sequential_image_generation: 'auto' }, fault('fail-image=1'));
    expect(result.images.map((image) => (image.error ? image.error.code : 'ok'))).toEqual(['ok', 'OutputImageSensitiveContentDetected', 'ok', 'ok']);
    expect(result.usage?.generated_images).toBe(3);
    const stopped = await client.generate(
      { prompt: 'a series of 4 postcards', size: '1K', sequential_image_generation: 'auto' },
      fault('fail-image=1:internal'),
    );
    expect(stopped.images.map((image) => image.error?.code ?? 'ok')).toEqual(['ok', 'InternalServiceError']);
  });

  it('caps a group with max_images', async () => {
    const result = await clientFor(emu, { model: 'doubao-seedream-4-0-250828' }).generate({
      prompt: 'a series of 6 frames',
      size: '1K',
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: 2 },
    });
    expect(result.images).toHaveLength(2);
  });
});

describe('reference images', () => {
  it('sends one image as a string and several as an array; strings are untouched', async () => {
    const client = clientFor(emu, { model: 'doubao-seedream-4-0-250828' });
    const png = await imageBytes('png', 40, 30);
    const dataUri = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
    await client.generate({ prompt: 'x', size: '1K', image: dataUri });
    expect(typeof lastBody().image).toBe('string');
    await client.generate({ prompt: 'x', size: '1K', image: [dataUri, dataUri] });
    expect(Array.isArray(lastBody().image)).toBe(true);
    expect(lastBody().image).toHaveLength(2);
  });

  it('turns Uint8Array, ArrayBuffer, Blob and File into data URIs with the MIME type sniffed from the bytes', async () => {
    const received: unknown[] = [];
    const server = await rawServer(async (request, response) => {
      received.push(JSON.parse(await readBody(request)).image);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ model: 'm', created: 1, data: [{ url: 'https://x.test/a.png' }] }));
    });
    try {
      const client = createSeedream({ baseURL: server.url, apiKey: FAKE_KEY });
      const [png, jpeg, webp, gif] = await Promise.all([imageBytes('png'), imageBytes('jpeg'), imageBytes('webp'), imageBytes('gif')]);
      // A Blob's declared type is ignored: the bytes decide.
      const file = new File([jpeg], 'photo.png', { type: 'image/png' });
      await client.generate({ prompt: 'x', image: png });
      await client.generate({
        prompt: 'x',
        image: [png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer, file, new Blob([webp]), gif, 'https://x.test/ref.png'],
      });
      expect(received[0]).toBe(`data:image/png;base64,${Buffer.from(png).toString('base64')}`);
      const several = received[1] as string[];
      expect(several.slice(0, 4).map((uri) => uri.slice(0, uri.indexOf(',')))).toEqual([
        'data:image/png;base64',
        'data:image/jpeg;base64',
        'data:image/webp;base64',
        'data:image/gif;base64',
      ]);
      expect(several[4]).toBe('https://x.test/ref.png');
      expect(Buffer.from(several[1]!.split(',')[1]!, 'base64').equals(Buffer.from(jpeg))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('lets the emulator decode the converted references (the bytes arrive intact)', async () => {
    const client = clientFor(emu, { model: 'doubao-seedream-4-0-250828' });
    const result = await client.generate({ prompt: 'x', size: '1K', image: [await imageBytes('png', 64, 64), new Blob([await imageBytes('jpeg', 64, 48)])] });
    expect(result.images[0]?.error).toBeUndefined();
    expect(String((lastBody().image as string[])[1])).toMatch(/^data:image\/jpeg;base64,/);
  });
});

describe('connection details', () => {
  it('does not follow a redirect of the POST (a wrong baseURL) and says so', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(301, { location: 'https://api.example.test/v1/images/generations', 'content-type': 'text/html' });
      response.end('<html>moved</html>');
    });
    try {
      // Node's fetch is told to refuse it, which keeps neither status nor location (0, as a browser's opaque redirect).
      const refused = await caught<Error & { status: number }>(
        createSeedream({ baseURL: server.url, apiKey: FAKE_KEY, maxRetries: 2 }).generate({ prompt: 'x' }),
      );
      expect(refused).toBeInstanceOf(APIError);
      expect(refused.status).toBe(0);
      expect(refused.message).toMatch(/^The server answered with a redirect: check `baseURL`/);
      expect(server.requests).toBe(1);
      // A fetch that hands the 3xx back (as createNodeFetch does) gives its status and location.
      const handedBack = await caught<Error & { status: number }>(
        createSeedream({ baseURL: server.url, apiKey: FAKE_KEY, fetch: createNodeFetch() }).generate({ prompt: 'x' }),
      );
      expect(handedBack.status).toBe(301);
      expect(handedBack.message).toMatch(/^301 redirect to https:\/\/api\.example\.test\/v1\/images\/generations: check `baseURL`/);
      expect(server.requests).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('a body read that the abort leaves pending (as Node 20 fetch sometimes does) still ends the call at its limit', async () => {
    // A fetch whose body never delivers and never fails, whatever the signal says.
    const stuck = (contentType: string) => async () =>
      new Response(new ReadableStream({ pull: () => new Promise<void>(() => undefined) }), { headers: { 'content-type': contentType } });
    const client = (contentType: string, options: { timeout?: number; streamIdleTimeout?: number }) =>
      createSeedream({ baseURL: 'http://127.0.0.1:9/v1', apiKey: FAKE_KEY, fetch: stuck(contentType), ...options });
    for (const response_format of ['url', 'b64_json'] as const) {
      const error = await caught<APITimeoutError>(client('application/json', { timeout: 200 }).generate({ prompt: 'x', response_format }));
      expect(error, response_format).toBeInstanceOf(APITimeoutError);
      expect(error.phase).toBe('deadline');
    }
    const stream = await client('text/event-stream', { streamIdleTimeout: 200 }).generate({ prompt: 'x', stream: true });
    const idle = await caught<APITimeoutError>(async () => {
      for await (const _ of stream);
    });
    expect(idle).toBeInstanceOf(APITimeoutError);
    expect(idle.phase).toBe('idle');
  });

  it('asks fetch to refuse redirects where the runtime accepts that, and else to hand them back (Cloudflare Workers)', async () => {
    const modes: unknown[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => (modes.push(init?.redirect), globalThis.fetch(input, init));
    await clientFor(emu, { fetch }).generate({ prompt: 'x' });
    const original = globalThis.Request;
    // A runtime whose Request refuses `redirect: 'error'`, as the Workers runtime's does.
    globalThis.Request = class extends original {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        if (init?.redirect === 'error') throw new TypeError('Invalid redirect value, must be one of "follow" or "manual"');
        super(input, init);
      }
    };
    try {
      await clientFor(emu, { fetch }).generate({ prompt: 'x' });
    } finally {
      globalThis.Request = original;
    }
    expect(modes).toEqual(['error', 'manual']);
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const client = clientFor(emu, { fetch: (input, init) => (seen.push(String(input)), globalThis.fetch(input, init)) });
    await client.generate({ prompt: 'x' });
    expect(seen).toEqual([`${emu.baseURL}/images/generations`]);
  });

  it('withOptions() derives a client', async () => {
    const port = await closedPort();
    const broken = createSeedream({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: FAKE_KEY });
    const fixed = broken.withOptions({ baseURL: emu.baseURL });
    expect((await fixed.generate({ prompt: 'x' })).images).toHaveLength(1);
  });
});
