/**
 * Fault matrix: every fault the emulator can inject, through every channel of CHANNELS (core, the HTTP route and
 * GraphQL; see fixtures/fault-matrix.mjs and fixtures/channels.mjs), streaming and not.
 *
 * Each call settles (success or a typed error) within its timeout, keeps the images it already received,
 * never produces an unhandled rejection, and — with default settings — reaches the emulator exactly once
 * (a generation is paid: nothing that may have been billed is sent twice). With retries on, only 429 and
 * refused connections are repeated, and the server's Retry-After is respected (read from the emulator's log).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { APIConnectionError, createSeedream, isAPIConnectionError, isSeedreamError } from '@seedream-kit/core';
import {
  CALL_TIMEOUT,
  CHANNELS,
  FAULTS,
  HANG_GUARD,
  MODES,
  checkOutcome,
  coreChannel,
  entriesOf,
  expectationFor,
  isTypedError,
  requestFor,
  settlesWithin,
  type FaultCase,
  type Mode,
} from '../fixtures/fault-matrix.mjs';
import { collectUnhandledRejections } from './unhandled-rejections.js';

const unhandled = collectUnhandledRejections();
let emu: Emulator;
let calls = 0;
let leakCheck: Promise<ChildRun> | undefined;

beforeAll(async () => {
  leakCheck = runLeakCheck(50_000);
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await emu.close();
  await leakCheck; // never leave the child running
});

const casesOf = (modes: Mode[]): Array<[string, FaultCase, Mode]> =>
  FAULTS.flatMap((testCase) => modes.map((mode): [string, FaultCase, Mode] => [`${testCase.name} (${mode})`, testCase, mode]));
const CASES = casesOf(MODES);

describe.each(CHANNELS)('fault matrix through $name, default settings', (channel) => {
  it('covers every documented directive of the emulator', () => {
    const names = new Set(FAULTS.flatMap((testCase) => testCase.fault.split(',').map((directive) => directive.split('=')[0]!.trim())));
    for (const directive of [
      'latency',
      'status',
      'code',
      'retry-after',
      'reset',
      'truncate',
      'malformed-json',
      'slow-headers',
      'stall-stream',
      'stream-error',
      'fail-image',
    ]) {
      expect(names).toContain(directive);
    }
  });

  it.each(casesOf(channel.modes))('%s: settles as expected, sent exactly once', async (_label, testCase, mode) => {
    const tag = `${channel.name}-default-${++calls}`;
    const settled = await settlesWithin(channel.run(emu, testCase, mode, { tag }), HANG_GUARD);
    expect(settled.hung, 'the call did not settle').toBe(false);
    if (settled.hung) return;
    const outcome = settled.value;
    expect(checkOutcome(outcome, expectationFor(testCase, mode))).toEqual([]);
    if (!outcome.ok) expect(isTypedError(outcome.error)).toBe(true);
    // One request reached the emulator, however the call ended.
    const entries = entriesOf(emu, tag);
    expect(entries).toHaveLength(1);
    // Once an answer started (any status sent), the error keeps its request id: the one thing support needs.
    const entry = entries[0]!;
    if (!outcome.ok && entry.status !== 0 && entry.status !== 499 && entry.requestId) expect(outcome.requestId).toBe(entry.requestId);
  });

  it('no unhandled rejection was raised by any call', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
});

describe('fault matrix through core: leaving a stream after its first event', () => {
  it.each(FAULTS.map((testCase): [string, FaultCase] => [testCase.name, testCase]))(
    '%s: the loop ends, the request is closed, nothing is left pending',
    async (_name, testCase) => {
      const tag = `core-break-${++calls}`;
      const client = createSeedream({ baseURL: emu.baseURL, apiKey: 'sk-matrix-key', timeout: CALL_TIMEOUT, streamIdleTimeout: 3_000 });
      const headers = { 'x-reliability-call': tag, ...(testCase.fault ? { 'x-emulator-fault': testCase.fault } : {}) };
      const leave = async () => {
        const stream = await client.generate(requestFor('stream') as never, { headers });
        for await (const event of stream as AsyncIterable<unknown>) {
          void event;
          break;
        }
        return 'left';
      };
      const settled = await settlesWithin(
        leave().catch((error: unknown) => error),
        HANG_GUARD,
      );
      expect(settled.hung).toBe(false);
      if (settled.hung) return;
      if (settled.value !== 'left') expect(isSeedreamError(settled.value)).toBe(true);
      // The HTTP exchange is over (ended or aborted by the client), and it happened once.
      const entry = await emu.log.waitFor((candidate) => candidate.headers['x-reliability-call'] === tag && candidate.endedAt !== undefined, 9_000);
      expect(entry.endedAt).toBeDefined();
      expect(entriesOf(emu, tag)).toHaveLength(1);
    },
  );

  it('no unhandled rejection after abandoned streams', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
});

describe('server-wide faults (setFaults) go through the same paths', () => {
  it.each<[string, string, string]>([
    ['reset', 'reset', 'APIConnectionError'],
    ['429', 'status=429,retry-after=3', 'RateLimitError'],
    ['stream-error', 'stream-error=1', 'InternalServerError'],
  ])('%s', async (_name, spec, kind) => {
    emu.setFaults(spec);
    try {
      const tag = `core-server-wide-${++calls}`;
      const outcome = await coreChannel.run(
        emu,
        { name: spec, fault: '', json: { ok: true, images: 0, failedSlots: 0 }, stream: { ok: true, images: 0, failedSlots: 0 } },
        'stream',
        { tag },
      );
      expect(outcome).toMatchObject({ ok: false, kind });
      expect(entriesOf(emu, tag)).toHaveLength(1);
    } finally {
      emu.setFaults(undefined);
    }
  });
});

describe('fault matrix through core, with retries on', () => {
  it('repeats only the 429s, never a request that may have been billed', async () => {
    // maxRetries 1: each 429 (Retry-After 1 s, within the 6 s deadline) is sent twice, everything else once.
    const runs = CASES.map(async ([label, testCase, mode]) => {
      const tag = `core-retry-${++calls}`;
      const settled = await settlesWithin(coreChannel.run(emu, testCase, mode, { tag, client: { maxRetries: 1, retry: { initialDelay: 50 } } }), HANG_GUARD);
      return { label, testCase, mode, tag, settled };
    });
    for (const { label, testCase, mode, tag, settled } of await Promise.all(runs)) {
      expect(settled.hung, label).toBe(false);
      if (settled.hung) continue;
      expect([label, checkOutcome(settled.value, expectationFor(testCase, mode))]).toEqual([label, []]);
      const rateLimited = /status=429/.test(testCase.fault);
      expect([label, entriesOf(emu, tag).length]).toEqual([label, rateLimited ? 2 : 1]);
    }
    expect(unhandled).toEqual([]);
  });

  it.each([1, 2])('waits at least Retry-After (%i s) between a 429 and its retry, then succeeds', async (retryAfter) => {
    const tag = `core-retry-after-${++calls}`;
    let attempts = 0;
    // The first attempt carries the fault, the retry does not (the header is set per attempt by a wrapping fetch).
    const faultOnce: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (attempts++ === 0) headers.set('x-emulator-fault', `status=429,retry-after=${retryAfter}`);
      return globalThis.fetch(input, { ...init, headers });
    };
    const client = createSeedream({
      baseURL: emu.baseURL,
      apiKey: 'sk-matrix-key',
      maxRetries: 2,
      retry: { initialDelay: 10, maxDelay: 20 },
      timeout: 10_000,
      fetch: faultOnce,
    });
    const settled = await settlesWithin(client.generate(requestFor('json') as never, { headers: { 'x-reliability-call': tag } }), 15_000);
    expect(settled.hung).toBe(false);
    const entries = entriesOf(emu, tag);
    expect(entries.map((entry) => entry.status)).toEqual([429, 200]);
    expect(entries[0]!.response).toBeDefined();
    // A correctness bound, not a speed figure: the retry started no sooner than the server asked.
    const gap = entries[1]!.startedAt - entries[0]!.endedAt!;
    expect(gap).toBeGreaterThanOrEqual(retryAfter * 1000);
  });

  it.each<[string, () => Record<string, string>, number]>([
    ['retry-after-ms: 1500', () => ({ 'retry-after-ms': '1500' }), 1500],
    // An HTTP date has whole seconds: 3 s ahead is at least 2 s of waiting.
    ['Retry-After as an HTTP date', () => ({ 'retry-after': new Date(Date.now() + 3000).toUTCString() }), 2000],
  ])('honours %s from a server that is not the emulator', async (_name, waitHeaders, minimumGap) => {
    const seen: number[] = [];
    const server = http.createServer((request, response) => {
      seen.push(Date.now());
      request.resume();
      request.on('end', () => {
        if (seen.length === 1) {
          response.writeHead(429, { 'content-type': 'application/json', ...waitHeaders() });
          response.end(JSON.stringify({ error: { code: 'RateLimitExceeded.EndpointIPMExceeded', message: 'slow down', type: 'TooManyRequests' } }));
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              model: 'doubao-seedream-4-0-250828',
              created: 1,
              data: [{ url: 'https://img.test/a.jpeg', size: '1024x1024' }],
              usage: { generated_images: 1 },
            }),
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const client = createSeedream({
        baseURL: `http://127.0.0.1:${port}/v1`,
        apiKey: 'sk-matrix-key',
        maxRetries: 1,
        retry: { initialDelay: 10, maxDelay: 20 },
        timeout: 10_000,
      });
      const settled = await settlesWithin(client.generate({ prompt: 'x' }), 15_000);
      expect(settled.hung).toBe(false);
      expect(seen).toHaveLength(2);
      expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(minimumGap);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('by default, a refused connection fails once with phase "connect" (nothing billed, nothing retried)', async () => {
    const port = await freePort();
    let attempts = 0;
    const client = createSeedream({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-matrix-key',
      timeout: CALL_TIMEOUT,
      fetch: (input, init) => (attempts++, globalThis.fetch(input, init)),
    });
    const settled = await settlesWithin(
      client.generate({ prompt: 'x' }).catch((error: unknown) => error),
      HANG_GUARD,
    );
    expect(settled.hung).toBe(false);
    if (settled.hung) return;
    expect(isAPIConnectionError(settled.value)).toBe(true);
    expect(settled.value).toMatchObject({ phase: 'connect', code: 'ECONNREFUSED' });
    expect(attempts).toBe(1);
  });

  it('a refused connection is retried until the server comes up on that port, which then sees one request', async () => {
    const port = await freePort();
    const refusals: unknown[] = [];
    let attempts = 0;
    const counting: typeof fetch = async (input, init) => {
      attempts++;
      try {
        return await globalThis.fetch(input, init);
      } catch (error) {
        refusals.push(error);
        throw error;
      }
    };
    const client = createSeedream({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-matrix-key',
      maxRetries: 8,
      retry: { initialDelay: 150, maxDelay: 300 },
      timeout: 10_000,
      fetch: counting,
    });
    const pending = client.generate({ model: 'doubao-seedream-4-0-250828', prompt: 'a lighthouse', size: '1K' });
    // Bring a real server up on the refused port once the client has been refused at least once.
    while (attempts === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await startEmulator({ port, host: '127.0.0.1' });
    try {
      const settled = await settlesWithin(pending, 15_000);
      expect(settled.hung).toBe(false);
      if (settled.hung) return;
      expect(settled.value.images.filter((image) => !image.error)).toHaveLength(1);
      expect(refusals.length).toBeGreaterThanOrEqual(1);
      expect(attempts).toBe(refusals.length + 1);
      expect(late.log.generations()).toHaveLength(1);
    } finally {
      await late.close();
    }
  });

  it('a refused connection that never comes back ends in APIConnectionError after maxRetries + 1 attempts', async () => {
    const port = await freePort();
    let attempts = 0;
    const client = createSeedream({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-matrix-key',
      maxRetries: 3,
      retry: { initialDelay: 20, maxDelay: 40 },
      timeout: CALL_TIMEOUT,
      fetch: (input, init) => (attempts++, globalThis.fetch(input, init)),
    });
    const error = await client.generate({ prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(attempts).toBe(4);
  });
});

describe('leak check: the whole matrix in a child process that must exit on its own', () => {
  it('exits with code 0 within 5 s of finishing, without process.exit', async () => {
    const child = await leakCheck!;
    expect(child.hung, `the child did not exit on its own; stdout:\n${child.stdout}\nstderr:\n${child.stderr}`).toBe(false);
    expect(child.finishedAt, `the matrix did not finish; stdout:\n${child.stdout}\nstderr:\n${child.stderr}`).toBeGreaterThan(0);
    expect(child.exitedAt - child.finishedAt).toBeLessThan(5_000);
    const summary = JSON.parse(child.stdout.split('\n').find((line) => line.includes('"finished":true'))!) as { cases: number; problems: string[] };
    expect(summary.problems).toEqual([]);
    expect(summary.cases).toBe(CHANNELS.reduce((total, channel) => total + FAULTS.length * channel.modes.length, 0));
    expect([child.code, child.stderr]).toEqual([0, '']);
  }, 60_000);
});

interface ChildRun {
  hung: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  finishedAt: number;
  exitedAt: number;
}

/** Runs fixtures/leak-check.mjs in a child process (started early, so it overlaps the other tests). */
async function runLeakCheck(limit: number): Promise<ChildRun> {
  const script = fileURLToPath(new URL('../fixtures/leak-check.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: ChildRun = { hung: false, code: null, stdout: '', stderr: '', finishedAt: 0, exitedAt: 0 };
  child.stdout.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString();
    if (!run.finishedAt && run.stdout.includes('"finished":true')) run.finishedAt = Date.now();
  });
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const settled = await settlesWithin(exit, limit);
  run.exitedAt = Date.now();
  if (settled.hung) {
    run.hung = true;
    child.kill('SIGKILL'); // our own child, by its handle
  } else run.code = settled.value;
  return run;
}

/** A port nothing listens on (bound once, then closed). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
