import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  createSeedream,
  isAPIConnectionError,
  isAPITimeoutError,
  isAPIUserAbortError,
} from '../src/index.js';
import { caught, clientFor, closedPort, FAKE_KEY, fault, withEmulator } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.log.clear());

/** Counts timers created with the given delays that are still pending (neither fired nor cleared). */
function trackTimers(delays: number[]) {
  const live = new Set<unknown>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = realSet(() => {
      live.delete(timer);
      callback(...args);
    }, ms);
    if (delays.includes(ms ?? 0)) live.add(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
    live.delete(timer);
    realClear(timer);
  }) as typeof clearTimeout;
  return {
    pending: () => live.size,
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

describe('connection failures', () => {
  it('connection refused → APIConnectionError in the connect phase (nothing was sent)', async () => {
    const port = await closedPort();
    const error = await caught<APIConnectionError>(createSeedream({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: FAKE_KEY }).generate({ prompt: 'x' }));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(isAPIConnectionError(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'connect', code: 'ECONNREFUSED' });
    expect(error.message).toMatch(/not sent/);
  });

  it('a reset after the request was read → APIConnectionError in the transfer phase (may be billed)', async () => {
    const error = await caught<APIConnectionError>(clientFor(emu).generate({ prompt: 'x' }, fault('reset')));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.phase).toBe('transfer');
    expect(error.message).toMatch(/billed/);
    expect(emu.log.generations()[0]!.status).toBe(0);
  });

  it('a truncated body → APIConnectionError with the request id from the headers', async () => {
    for (const format of ['url', 'b64_json'] as const) {
      const error = await caught<APIConnectionError>(clientFor(emu).generate({ prompt: 'x', response_format: format }, fault('truncate')));
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(error.phase).toBe('transfer');
      expect(error.requestId).toBe(emu.log.generations().at(-1)!.requestId);
    }
  });

  it('malformed JSON in a 200 → APIError saying so, with the request id', async () => {
    for (const format of ['url', 'b64_json'] as const) {
      const error = await caught<APIError>(clientFor(emu).generate({ prompt: 'x', response_format: format }, fault('malformed-json')));
      expect(error.constructor).toBe(APIError);
      expect(error.status).toBe(200);
      expect(error.message).toMatch(/not valid JSON/);
      expect(error.requestId).toBe(emu.log.generations().at(-1)!.requestId);
    }
  });
});

describe('timeouts and aborts', () => {
  it('slow headers past the deadline → APITimeoutError (deadline); the fetch is aborted', async () => {
    const error = await caught<APITimeoutError>(clientFor(emu, { timeout: 300 }).generate({ prompt: 'x' }, fault('slow-headers=3000')));
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(isAPITimeoutError(error)).toBe(true);
    expect(isAPIUserAbortError(error)).toBe(false);
    expect(error).toMatchObject({ phase: 'deadline', timeout: 300 });
    const entry = await emu.log.waitFor((e) => e.aborted);
    expect(entry.aborted).toBe(true);
  });

  it('a per-request timeout overrides the client default', async () => {
    const error = await caught<APITimeoutError>(clientFor(emu).generate({ prompt: 'x' }, { timeout: 200, ...fault('slow-headers=3000') }));
    expect(error).toMatchObject({ phase: 'deadline', timeout: 200 });
  });

  it('slow headers within the deadline are fine', async () => {
    const result = await clientFor(emu, { timeout: 5000 }).generate({ prompt: 'x' }, fault('slow-headers=200'));
    expect(result.images).toHaveLength(1);
  });

  it("the caller's signal → APIUserAbortError (distinct from a timeout); the emulator sees the client leave", async () => {
    const controller = new AbortController();
    const pending = clientFor(emu).generate({ prompt: 'x' }, { signal: controller.signal, ...fault('latency=3000') });
    await emu.log.waitFor((e) => e.kind === 'generation');
    controller.abort(new Error('user navigated away'));
    const error = await caught<APIUserAbortError>(pending);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(isAPITimeoutError(error)).toBe(false);
    expect((error.cause as Error).message).toBe('user navigated away');
    expect((await emu.log.waitFor((e) => e.aborted)).status).toBe(499);
  });

  it('an already aborted signal sends nothing', async () => {
    const error = await caught(clientFor(emu).generate({ prompt: 'x' }, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(emu.log.entries).toHaveLength(0);
  });

  it('leaves no timers behind, whatever the outcome', async () => {
    // Distinctive delays, so only this client's deadline and idle timers are counted.
    const tracker = trackTimers([61_234, 181_234]);
    try {
      const client = clientFor(emu, { timeout: 61_234, streamIdleTimeout: 181_234 });
      await client.generate({ prompt: 'x' });
      expect(tracker.pending()).toBe(0);
      await caught(client.generate({ prompt: 'x' }, fault('status=500')));
      await caught(client.generate({ prompt: 'x' }, fault('reset')));
      await caught(client.generate({ prompt: 'x' }, fault('truncate')));
      const stream = await client.generate({ prompt: 'a series of 2 images', sequential_image_generation: 'auto', stream: true });
      expect(tracker.pending()).toBe(1); // the deadline runs while the stream is open
      for await (const _ of stream) break;
      const full = await client.generate({ prompt: 'x', stream: true });
      await full.finalResult();
      await caught(async () => {
        for await (const _ of await client.generate({ prompt: 'x', stream: true }, fault('stream-error=0')));
      });
      expect(tracker.pending()).toBe(0);
    } finally {
      tracker.restore();
    }
  });
});
