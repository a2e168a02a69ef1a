import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import { APIConnectionError, APIUserAbortError, createSeedream, InternalServerError, RateLimitError } from '../src/index.js';
import { backoffDelay, retryDelay } from '../src/internal/retry.js';
import { caught, clientFor, closedPort, FAKE_KEY, fault, rawServer, withEmulator } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.log.clear();
  emu.setFaults(undefined);
});

const attempts = () => emu.log.generations().length;

describe('default: no retries (a generation is paid)', () => {
  it('a 429 is not retried: exactly one request', async () => {
    await caught(clientFor(emu).generate({ prompt: 'x' }, fault('status=429,retry-after=0')));
    expect(attempts()).toBe(1);
  });

  it('a 500 is never retried without an explicit opt-in, even with maxRetries', async () => {
    const error = await caught(clientFor(emu, { maxRetries: 3 }).generate({ prompt: 'x' }, fault('status=500')));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(attempts()).toBe(1);
  });

  it('a reset after sending is never retried without an opt-in', async () => {
    await caught(clientFor(emu, { maxRetries: 3 }).generate({ prompt: 'x' }, fault('reset')));
    expect(attempts()).toBe(1);
  });

  it('a 400 or 401 is never retried', async () => {
    await caught(clientFor(emu, { maxRetries: 3 }).generate({ prompt: 'x' }, fault('status=400')));
    await caught(clientFor(emu, { maxRetries: 3 }).generate({ prompt: 'x' }, fault('status=401')));
    expect(attempts()).toBe(2);
  });
});

describe('with maxRetries > 0, what cannot have been billed is retried', () => {
  it('a 429 is retried after waiting at least Retry-After, then succeeds', async () => {
    emu.setFaults('status=429,retry-after=1');
    const pending = clientFor(emu, { maxRetries: 2 }).generate({ prompt: 'x' });
    await emu.log.waitFor((entry) => entry.status === 429);
    emu.setFaults(undefined); // the next attempt succeeds
    const result = await pending;
    expect(result.images).toHaveLength(1);
    const [first, second] = emu.log.generations();
    expect([first!.status, second!.status]).toEqual([429, 200]);
    expect(second!.startedAt - first!.endedAt!).toBeGreaterThanOrEqual(950); // honoured Retry-After: 1
  });

  it('gives up after maxRetries and throws the last RateLimitError', async () => {
    const error = await caught(clientFor(emu, { maxRetries: 2 }).generate({ prompt: 'x' }, fault('status=429,retry-after=0')));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(attempts()).toBe(3);
  });

  it('does not wait for a Retry-After beyond maxRetryAfter', async () => {
    const error = await caught(clientFor(emu, { maxRetries: 2, retry: { maxRetryAfter: 5000 } }).generate({ prompt: 'x' }, fault('status=429,retry-after=30')));
    expect(error).toMatchObject({ retryAfter: 30 });
    expect(attempts()).toBe(1);
  });

  it('does not retry a spent quota (waiting does not fix it)', async () => {
    await caught(clientFor(emu, { maxRetries: 2 }).generate({ prompt: 'x' }, fault('status=429,code=QuotaExceeded,retry-after=0')));
    expect(attempts()).toBe(1);
  });

  it('a refused connection is retried with backoff until it gives up', async () => {
    const port = await closedPort();
    let calls = 0;
    const client = createSeedream({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: FAKE_KEY,
      maxRetries: 2,
      retry: { initialDelay: 20, maxDelay: 40 },
      fetch: (input, init) => (calls++, globalThis.fetch(input, init)),
    });
    const error = await caught<APIConnectionError>(client.generate({ prompt: 'x' }));
    expect(error).toMatchObject({ phase: 'connect', code: 'ECONNREFUSED' });
    expect(calls).toBe(3);
  });

  it('a refused connection that comes back succeeds on retry', async () => {
    let calls = 0;
    const port = await closedPort();
    const client = createSeedream({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: FAKE_KEY,
      maxRetries: 1,
      retry: { initialDelay: 10 },
      // The first attempt goes to the closed port, the retry to the emulator.
      fetch: (input, init) => globalThis.fetch(calls++ === 0 ? input : `${emu.baseURL}/images/generations`, init),
    });
    expect((await client.generate({ prompt: 'x' })).images).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('an abort during the backoff stops at once', async () => {
    const controller = new AbortController();
    const pending = clientFor(emu, { maxRetries: 3 }).generate({ prompt: 'x' }, { signal: controller.signal, ...fault('status=429,retry-after=25') });
    await emu.log.waitFor((entry) => entry.status === 429);
    controller.abort();
    const error = await caught(pending);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(attempts()).toBe(1);
  });

  it('a wait that would pass the deadline is not started', async () => {
    const error = await caught(clientFor(emu, { maxRetries: 3, timeout: 2000 }).generate({ prompt: 'x' }, fault('status=429,retry-after=5')));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(attempts()).toBe(1);
  });
});

describe('unsafe retries need an explicit opt-in', () => {
  it("'server-error' retries a 5xx", async () => {
    emu.setFaults('status=503,retry-after=0');
    const pending = clientFor(emu, { maxRetries: 1, retry: { unsafeRetryOn: ['server-error'] } }).generate({ prompt: 'x' });
    await emu.log.waitFor((entry) => entry.status === 503);
    emu.setFaults(undefined);
    expect((await pending).images).toHaveLength(1);
    expect(attempts()).toBe(2);
  });

  it('a status number retries only that status', async () => {
    await caught(clientFor(emu, { maxRetries: 1, retry: { unsafeRetryOn: [502], initialDelay: 10 } }).generate({ prompt: 'x' }, fault('status=500')));
    expect(attempts()).toBe(1);
    emu.log.clear();
    await caught(clientFor(emu, { maxRetries: 1, retry: { unsafeRetryOn: [502], initialDelay: 10 } }).generate({ prompt: 'x' }, fault('status=502')));
    expect(attempts()).toBe(2);
  });

  it("'connection-lost' retries a reset after sending (per request options too)", async () => {
    await caught(
      clientFor(emu).generate({ prompt: 'x' }, { maxRetries: 1, retry: { unsafeRetryOn: ['connection-lost'], initialDelay: 10 }, ...fault('reset') }),
    );
    expect(attempts()).toBe(2);
  });

  it('a stream that already started is never retried', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        'event: image_generation.partial_succeeded\ndata: {"type":"image_generation.partial_succeeded","image_index":0,"url":"https://x.test/0.png"}\n\n',
      );
      setTimeout(() => response.socket?.destroy(), 20);
    });
    try {
      const client = createSeedream({ baseURL: server.url, apiKey: FAKE_KEY, maxRetries: 3, retry: { unsafeRetryOn: ['connection-lost', 'server-error'] } });
      const error = await caught<APIConnectionError>(async () => {
        for await (const _ of await client.generate({ prompt: 'x', stream: true }));
      });
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(error.partialResult?.images).toHaveLength(1);
      expect(server.requests).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('the retry policy as a function', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(0, {}, () => 0)).toBe(250);
    expect(backoffDelay(0, {}, () => 1)).toBe(500);
    expect(backoffDelay(3, {}, () => 1)).toBe(4000);
    expect(backoffDelay(10, {}, () => 1)).toBe(8000);
    expect(backoffDelay(10, { maxDelay: 1000, initialDelay: 100 }, () => 0.5)).toBe(750);
  });

  it('honours Retry-After and never waits less than asked', () => {
    const rateLimited = new RateLimitError({ status: 429, message: 'slow down', headers: new Headers({ 'retry-after': '2' }) });
    expect(retryDelay(rateLimited, { attempt: 0, maxRetries: 1, options: {}, remainingMs: 60_000, random: () => 0 })).toBe(2000);
    expect(retryDelay(rateLimited, { attempt: 0, maxRetries: 1, options: {}, remainingMs: 60_000, random: () => 1 })).toBe(2200);
    const ms = new RateLimitError({ status: 429, message: 'slow down', headers: new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }) });
    expect(retryDelay(ms, { attempt: 0, maxRetries: 1, options: {}, remainingMs: 60_000, random: () => 0 })).toBe(150);
    const date = new RateLimitError({ status: 429, message: 'x', headers: new Headers({ 'retry-after': new Date(Date.now() + 3000).toUTCString() }) });
    expect(retryDelay(date, { attempt: 0, maxRetries: 1, options: {}, remainingMs: 60_000, random: () => 0 })).toBeGreaterThan(1000);
    expect(retryDelay(rateLimited, { attempt: 1, maxRetries: 1, options: {}, remainingMs: 60_000 })).toBeUndefined(); // attempts used up
    expect(retryDelay(rateLimited, { attempt: 0, maxRetries: 1, options: {}, remainingMs: 1000 })).toBeUndefined(); // past the deadline
  });
});
