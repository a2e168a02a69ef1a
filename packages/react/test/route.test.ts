import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT_ERROR_KINDS, createSeedream } from '@seedream-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeedreamRoute, createSpendingPolicy, toNodeHandler, type SeedreamRouteOptions } from '../src/server.js';
import { FAKE_KEY, MODEL, startStack, type Stack, type StackRoute } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const post = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

async function start(route: StackRoute = {}) {
  stack = await startStack(route);
  return stack;
}

describe('createSeedreamRoute: failing closed', () => {
  it('refuses to be created without authorize (or without a client)', () => {
    const client = createSeedream({ apiKey: FAKE_KEY });
    expect(() => createSeedreamRoute({ client } as unknown as SeedreamRouteOptions)).toThrow(/policy/);
    expect(() => createSeedreamRoute({ client, policy: {} } as unknown as SeedreamRouteOptions)).toThrow(/policy/);
    expect(() => createSeedreamRoute({ policy: { authorize: () => true } } as unknown as SeedreamRouteOptions)).toThrow(/client/);
  });

  it('answers 403 when authorize says no, names no caller, or throws; nothing goes upstream', async () => {
    for (const authorize of [
      () => false,
      () => '',
      () => null,
      () => ({ id: 42 }) as unknown as boolean,
      async () => {
        throw new Error('db down');
      },
    ]) {
      const { url, emulator } = await start({ policy: { authorize } });
      const response = await post(url, { prompt: 'a boat' });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: { kind: 'permission', message: 'Not allowed', status: 403 } });
      expect(emulator.log.generations()).toHaveLength(0);
      await stack!.close();
      stack = undefined;
    }
  });

  it('refuses bodies that are not declared JSON (the cross-site "simple" requests): 415, authorize not asked, nothing sent', async () => {
    let asked = 0;
    const { url, emulator } = await start({ policy: { authorize: () => ++asked > 0 } });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const response = await post(url, { prompt: 'a boat', size: '1024x1024' }, { headers: type ? { 'content-type': type } : {} });
      expect([type, response.status, response.headers.get('accept')]).toEqual([type, 415, 'application/json']);
    }
    expect(asked).toBe(0);
    expect(emulator.log.generations()).toHaveLength(0);
    const json = await post(url, { prompt: 'a boat', size: '1024x1024' }, { headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(json.status).toBe(200);
  });

  it('passes the request to authorize (a header check works)', async () => {
    const { url } = await start({ policy: { authorize: (request) => request.headers.get('x-csrf') === 'ok' } });
    expect((await post(url, { prompt: 'a boat', size: '1024x1024' })).status).toBe(403);
    expect((await post(url, { prompt: 'a boat', size: '1024x1024' }, { headers: { 'content-type': 'application/json', 'x-csrf': 'ok' } })).status).toBe(200);
  });

  it('enforces the model allow-list, including the default model', async () => {
    const { url, emulator } = await start({ policy: { models: ['doubao-seedream-4-5-251128'] } });
    const response = await post(url, { prompt: 'a boat', model: 'doubao-seedream-4-0-250828' });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error).toMatchObject({ kind: 'validation', fields: [{ path: 'model' }] });
    expect((await post(url, { prompt: 'a boat' })).status).toBe(400); // default model (4.0) is not listed
    expect(emulator.log.generations()).toHaveLength(0);
  });

  it('caps max_images, reference images and prompt length, and injects the cap into group requests', async () => {
    const { url, emulator } = await start({ policy: { limits: { maxImagesPerRequest: 2, maxReferenceImages: 1, maxPromptLength: 30 } } });
    const refused = [
      [
        { prompt: 'short', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 } },
        'sequential_image_generation_options.max_images',
      ],
      [{ prompt: 'short', image: ['https://a.test/1.png', 'https://a.test/2.png'] }, 'image'],
      [{ prompt: 'x'.repeat(31) }, 'prompt'],
    ] as const;
    for (const [body, path] of refused) {
      const response = await post(url, body);
      expect(response.status).toBe(400);
      expect((await response.json()).error.fields[0].path).toBe(path);
    }
    expect(emulator.log.generations()).toHaveLength(0);
    const response = await post(url, { prompt: 'series of 5 images', size: '1024x1024', sequential_image_generation: 'auto' });
    expect(response.status).toBe(200);
    expect((await response.json()).images).toHaveLength(2);
    expect(emulator.log.generations()[0]!.body).toMatchObject({ sequential_image_generation_options: { max_images: 2 } });
  });

  it('answers 413 for a body over the cap, declared or streamed without a length', async () => {
    const { url, emulator } = await start({ policy: { limits: { maxBodyBytes: 1000 } } });
    const big = JSON.stringify({ prompt: 'a boat', image: `data:image/png;base64,${'A'.repeat(2000)}` });
    const declared = await post(url, big);
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.kind).toBe('limit_exceeded');
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(big.slice(i * 100, (i + 1) * 100)));
        controller.close();
      },
    });
    const streamed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(emulator.log.generations()).toHaveLength(0);
  });

  it('validates with core before any upstream call, listing every field', async () => {
    const { url, emulator } = await start();
    const response = await post(url, { prompt: '', size: '5x5', sequential_image_generation_options: { max_images: 0 } });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.kind).toBe('validation');
    expect(error.fields.map((f: { path: string }) => f.path)).toEqual(
      expect.arrayContaining(['prompt', 'size', 'sequential_image_generation_options.max_images']),
    );
    expect((await post(url, '{not json')).status).toBe(400);
    expect((await post(url, '[1]')).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    expect(emulator.log.generations()).toHaveLength(0);
  });

  it('calls the rate-limit hook after validation: 429 with Retry-After, and a throwing hook fails closed', async () => {
    const seen: unknown[] = [];
    let verdict: { allowed: boolean; retryAfter?: number } = { allowed: false, retryAfter: 7 };
    const { url, emulator } = await start({
      policy: {
        rateLimit: ({ params }) => {
          seen.push(params.prompt);
          if (params.prompt === 'explode') throw new Error('redis down');
          return verdict;
        },
      },
    });
    const limited = await post(url, { prompt: 'a boat', size: '1024x1024' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await limited.json()).error).toMatchObject({ kind: 'rate_limit', retryAfter: 7 });
    expect((await post(url, { prompt: 'explode', size: '1024x1024' })).status).toBe(500);
    expect((await post(url, { prompt: '', size: '1024x1024' })).status).toBe(400);
    expect(seen).toEqual(['a boat', 'explode']); // invalid requests never reach the hook
    expect(emulator.log.generations()).toHaveLength(0);
    verdict = { allowed: true };
    expect((await post(url, { prompt: 'a boat', size: '1024x1024' })).status).toBe(200);
    expect(emulator.log.generations()).toHaveLength(1);
  });
});

describe('createSeedreamRoute: answers', () => {
  it('returns the result as JSON, dropping fields the browser may not set', async () => {
    const { url, emulator } = await start();
    const response = await post(url, { prompt: 'a paper boat', size: '1024x1024', watermark: false, callback_url: 'https://evil.test' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const result = await response.json();
    expect(result).toMatchObject({ model: expect.any(String), created: expect.any(Number), usage: { generated_images: 1 } });
    expect(result.images[0]).toMatchObject({ index: 0, url: expect.stringContaining('X-Tos-Signature'), size: '1024x1024' });
    expect(emulator.log.generations()[0]!.body).not.toHaveProperty('callback_url');
  });

  it('sends b64_json results as data URIs and accepts reference images as data URIs of any declared type', async () => {
    const { url, emulator } = await start();
    const png = await (await import('@seedream-kit/emulator')).renderPlaceholder({ prompt: 'ref', width: 64, height: 64 });
    const reference = `data:application/octet-stream;base64,${Buffer.from(png).toString('base64')}`;
    const response = await post(url, { prompt: 'a boat', size: '1024x1024', response_format: 'b64_json', image: reference });
    expect(response.status).toBe(200);
    const result = await response.json();
    expect(result.images[0].url).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(String((emulator.log.generations()[0]!.body as { image?: unknown }).image)).toMatch(/^data:image\/png;base64,/);
  });

  it('maps upstream errors to the safe shape: no upstream body, no key', async () => {
    const { url, faults, errors } = await start();
    // The route's kind per upstream failure; the status it answers with is the kind's (CLIENT_ERROR_KINDS).
    const cases = [
      ['status=400', 'bad_request'],
      ['status=401', 'authentication'],
      ['status=403', 'permission'],
      ['status=404', 'not_found'],
      ['status=429,retry-after=9', 'rate_limit'],
      ['status=400,code=InputTextSensitiveContentDetected', 'content_policy'],
      ['status=500', 'upstream'],
      ['reset', 'upstream'],
    ] as const;
    for (const [fault, kind] of cases) {
      const { status } = CLIENT_ERROR_KINDS[kind];
      faults.push(fault);
      const response = await post(url, { prompt: 'a boat', size: '1024x1024' });
      const text = await response.text();
      expect(response.status, fault).toBe(status);
      const { error } = JSON.parse(text);
      expect(error.kind, fault).toBe(kind);
      expect(Object.keys(error).every((key) => ['kind', 'message', 'status', 'fields', 'retryAfter', 'requestId'].includes(key))).toBe(true);
      expect(text).not.toContain(FAKE_KEY);
      expect(text).not.toContain('Bearer');
      if (kind === 'rate_limit') {
        expect(error.retryAfter).toBe(9);
        expect(response.headers.get('retry-after')).toBe('9');
      }
      if (fault !== 'reset') expect(error.requestId).toEqual(expect.any(String));
    }
    expect(errors).toHaveLength(cases.length); // onError saw each one in full
  });

  it('times out as kind timeout, with its status', async () => {
    const stackWithTimeout = await startStack();
    stack = stackWithTimeout;
    const client = createSeedream({ baseURL: stackWithTimeout.emulator.baseURL, apiKey: FAKE_KEY, model: MODEL, timeout: 300 });
    const handler = createSeedreamRoute({ client, policy: createSpendingPolicy({ authorize: () => true, budget: false }) });
    stackWithTimeout.emulator.setFaults('slow-headers=2000');
    const slow = await handler(
      new Request('http://x/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a boat', size: '1024x1024' }),
      }),
    );
    expect(slow.status).toBe(CLIENT_ERROR_KINDS.timeout.status);
    expect((await slow.json()).error.kind).toBe('timeout');
  });
});

describe('createSeedreamRoute: streaming', () => {
  const streamBody = { prompt: 'a series of 3 images of a lighthouse', size: '1024x1024', sequential_image_generation: 'auto', stream: true };

  it('streams SSE with the right headers, keep-alive pings, one event per image and a done event', async () => {
    const { url, faults } = await start({ pingInterval: 40 });
    faults.push('latency=150');
    const response = await post(url, streamBody);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text).toContain(': ping\n\n');
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(['job', 'image', 'image', 'image', 'done']);
    const done = JSON.parse(text.split('event: done\ndata: ')[1]!.split('\n')[0]!);
    expect(done.usage.generated_images).toBe(3);
  });

  it('sends failed slots as image events with an error, and an error event when the stream fails mid-way', async () => {
    const { url, faults } = await start();
    faults.push('fail-image=1');
    const text = await (await post(url, streamBody)).text();
    expect(text).toContain('"error":{"code":"OutputImageSensitiveContentDetected"');
    faults.push('stream-error=1');
    const failed = await (await post(url, streamBody)).text();
    const events = [...failed.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(['job', 'image', 'error']);
    expect(failed).toContain('"kind":"upstream"');
    expect(failed).not.toContain(FAKE_KEY);
  });

  it('reports an upstream refusal before the first image as an error event (the stream is already open)', async () => {
    const { url, faults } = await start();
    faults.push('status=429,retry-after=4');
    const response = await post(url, streamBody);
    expect(response.status).toBe(200);
    const text = await response.text();
    const error = JSON.parse(text.split('event: error\ndata: ')[1]!.split('\n')[0]!).error;
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, retryAfter: 4 });
    expect(text).not.toContain(FAKE_KEY);
  });

  it("with jobs' onDisconnect: 'cancel', a disconnect aborts the upstream request", async () => {
    const { url, emulator, faults } = await start({ pingInterval: 0, jobs: { onDisconnect: 'cancel' } });
    faults.push('latency=400');
    const controller = new AbortController();
    const response = await post(url, streamBody, { signal: controller.signal });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: image')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const entry = await emulator.log.waitFor((e) => e.kind === 'generation' && e.aborted === true, 3000);
    expect(entry.imagesGenerated).toBeLessThan(3);
  });

  // Under toNodeHandler the events go straight to the socket; a fetch-standard host (Next.js, Deno, Bun) reads
  // them from the Response's body stream. Both paths must behave the same.
  it('on a fetch-standard host the SSE body streams job, images and done; cancelling it leaves the job running', async () => {
    const { handler, emulator, faults } = await start({ pingInterval: 0 });
    faults.push('latency=300');
    const request = () =>
      new Request('http://app.test/api/seedream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(streamBody) });
    const response = await handler(request());
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: image')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^: open\n\nevent: job\ndata: \{"id":"job_/);
    await reader.cancel();
    const upstream = await emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 10_000);
    expect([upstream.aborted, upstream.imagesGenerated]).toEqual([false, 3]);

    faults.push('latency=0');
    const whole = await (await handler(request())).text();
    expect(whole.match(/^event: \w+/gm)).toEqual(['event: job', 'event: image', 'event: image', 'event: image', 'event: done']);
  });

  it("on a fetch-standard host with onDisconnect: 'cancel', cancelling the body aborts the upstream request", async () => {
    const { handler, emulator, faults } = await start({ pingInterval: 0, jobs: { onDisconnect: 'cancel' } });
    faults.push('latency=400');
    const response = await handler(
      new Request('http://app.test/api/seedream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(streamBody) }),
    );
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: image')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const entry = await emulator.log.waitFor((e) => e.kind === 'generation' && e.aborted === true, 3000);
    expect(entry.imagesGenerated).toBeLessThan(3);
  });

  it("with onDisconnect: 'cancel', a non-streamed request's disconnect aborts upstream too", async () => {
    const { url, emulator, faults } = await start({ jobs: { onDisconnect: 'cancel' } });
    faults.push('latency=1500');
    const controller = new AbortController();
    const pending = post(url, { prompt: 'a boat', size: '1024x1024' }, { signal: controller.signal }).catch(() => 'aborted');
    await emulator.log.waitFor((e) => e.kind === 'generation');
    controller.abort();
    expect(await pending).toBe('aborted');
    const entry = await emulator.log.waitFor((e) => e.kind === 'generation' && e.aborted === true, 3000);
    expect(entry.status).toBe(499);
  });
});

describe('toNodeHandler', () => {
  it('passes method, URL, headers and an Express-parsed body, and copies status, headers and cookies back', async () => {
    let seen: { method: string; url: string; header: string | null; body: string } | undefined;
    const node = toNodeHandler(async (request) => {
      seen = { method: request.method, url: request.url, header: request.headers.get('x-test'), body: await request.text() };
      const headers = new Headers({ 'x-out': '1' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response('hello', { status: 201, headers });
    });
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/parsed')) (req as { body?: unknown }).body = { parsed: true };
      node(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const response = await fetch(`${base}/raw?q=1`, { method: 'PUT', body: 'payload', headers: { 'x-test': 'yes' } });
      expect(response.status).toBe(201);
      expect(await response.text()).toBe('hello');
      expect(response.headers.get('x-out')).toBe('1');
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(seen).toEqual({ method: 'PUT', url: `${base}/raw?q=1`, header: 'yes', body: 'payload' });
      await fetch(`${base}/parsed`, { method: 'POST', body: 'ignored' });
      expect(seen?.body).toBe('{"parsed":true}');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 500 when the handler throws', async () => {
    const server = http.createServer(
      toNodeHandler(() => {
        throw new Error('bug');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(response.status).toBe(500);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
