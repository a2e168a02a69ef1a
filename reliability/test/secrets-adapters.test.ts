/**
 * Secrets through the adapters: the server-side core client holds a recognisable fake key; the browser side
 * talks to the HTTP route and to GraphQL through their transports. For every fault of the matrix (JSON and
 * streaming), and against a hostile upstream that echoes the key in its bodies, headers and stream events, the
 * browser sees the key nowhere: not in a response status line, header or body (every byte the transport read,
 * captured by a recording fetch), not in the thrown transport errors (message, stack, JSON, util.inspect with
 * hidden fields, causes, partial results), and not in anything written to the console or stdout/stderr on either
 * side (the route logs every failure with console.error through `onError`, as an app would; yoga logs by default).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { createHttpTransport, isSeedreamClientError } from '@seedream-kit/react';
import { createGraphQLTransport } from '@seedream-kit/graphql/transport';
import { startGraphQLServer, startRouteServer, type Served } from '../fixtures/channels.mjs';
import { FAULTS, HANG_GUARD, requestFor, settlesWithin, type Mode } from '../fixtures/fault-matrix.mjs';

const KEY = 'sk-reliability-FAKE-KEY-7f3a9c';
/** Fragments that would betray a partial leak (the key cut, or re-encoded). */
const NEEDLES = [KEY, 'FAKE-KEY-7f3a9c', Buffer.from(KEY).toString('base64'), encodeURIComponent(KEY)];

type View = [label: string, text: string];
const leaks = (views: View[]) => views.filter(([, text]) => NEEDLES.some((needle) => text.includes(needle))).map(([label]) => label);

let emu: Emulator;
let hostile: http.Server;
let hostileURL: string;
let written: View[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  hostile = http.createServer(hostileUpstream);
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  hostileURL = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  hostile.closeAllConnections();
  await new Promise((resolve) => hostile.close(resolve));
  await emu.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Captures console.* and process.stdout/stderr writes made during `work` (server and browser side share the process). */
async function capturingOutput<T>(work: () => Promise<T>): Promise<T> {
  written = [];
  const record = (...args: unknown[]) =>
    void written.push(['console', args.map((arg) => (typeof arg === 'string' ? arg : util.inspect(arg, { depth: 8, showHidden: true }))).join(' ')]);
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) vi.spyOn(console, method).mockImplementation(record);
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      written.push(['stdio', typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString()]);
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  return work();
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (error) {
    return `unserialisable: ${String(error)}`;
  }
}

/** Every textual view of a transport error a user or a logger might produce. */
function viewsOf(error: unknown, label: string): View[] {
  const views: View[] = [
    [`${label} util.inspect`, util.inspect(error, { depth: 12, showHidden: true, getters: true })],
    [`${label} JSON.stringify`, safeJson(error)],
  ];
  if (error instanceof Error) {
    views.push([`${label} message`, error.message], [`${label} stack`, error.stack ?? ''], [`${label} String()`, String(error)]);
    let cause: unknown = error.cause;
    for (let depth = 0; cause !== undefined && depth < 6; depth++) {
      views.push([`${label} cause[${depth}]`, `${util.inspect(cause, { depth: 8, showHidden: true })} ${safeJson(cause)}`]);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return views;
}

/** A browser-side fetch that records every status, header and body byte the transport received. */
function recordingFetch(seen: View[], reads: Array<Promise<unknown>>): typeof fetch {
  return async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const label = `response ${response.status}`;
    seen.push(
      [`${label} status`, `${response.status} ${response.statusText}`],
      [`${label} headers`, [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')],
    );
    const copy = response.clone();
    reads.push(
      settlesWithin(
        copy.text().then(
          (text) => seen.push([`${label} body`, text]),
          () => undefined,
        ),
        HANG_GUARD,
      ),
    );
    return response;
  };
}

type ChannelName = 'http-route' | 'graphql';
const CHANNEL_NAMES: ChannelName[] = ['http-route', 'graphql'];

async function startServer(channel: ChannelName, baseURL?: string): Promise<Served> {
  const client = baseURL ? { baseURL, maxRetries: 0 } : {};
  if (channel === 'http-route') {
    return startRouteServer(emu, { apiKey: KEY, client, route: { onError: (error: unknown) => console.error('route failure:', error) } });
  }
  return startGraphQLServer(emu, { apiKey: KEY, client });
}

interface Collected {
  views: View[];
  errors: number;
  successes: number;
}

/** Runs calls through a channel's transport on one shared server, recording everything the browser side sees. */
async function runCalls(channel: ChannelName, served: Served, calls: Array<{ fault: string; mode: Mode }>): Promise<Collected> {
  const views: View[] = [];
  const reads: Array<Promise<unknown>> = [];
  let errors = 0;
  let successes = 0;
  await capturingOutput(async () => {
    const runs = calls.map(async ({ fault, mode }, index) => {
      const headers = { 'x-reliability-call': `secrets-${channel}-${index}-${Date.now()}`, ...(fault ? { 'x-emulator-fault': fault } : {}) };
      const options = { url: served.url, headers, fetch: recordingFetch(views, reads) };
      const transport = channel === 'http-route' ? createHttpTransport(options) : createGraphQLTransport(options);
      const call = transport.generate(requestFor(mode) as never, {
        signal: new AbortController().signal,
        ...(mode === 'stream' ? { onEvent: () => undefined } : {}),
      });
      return settlesWithin(
        call.then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        HANG_GUARD,
      );
    });
    for (const [index, settled] of (await Promise.all(runs)).entries()) {
      expect(settled.hung).toBe(false);
      if (settled.hung) continue;
      if (settled.value.ok) {
        successes++;
        continue;
      }
      errors++;
      const { error } = settled.value;
      expect(isSeedreamClientError(error)).toBe(true);
      views.push(...viewsOf(error, `${calls[index]!.fault || 'no fault'} (${calls[index]!.mode})`));
      console.error(error); // what an app would log in the browser
      console.warn(String(error));
    }
    await Promise.all(reads);
  });
  return { views, errors, successes };
}

describe.each(CHANNEL_NAMES)('the API key never reaches the browser through %s', (channel) => {
  it('through every fault of the matrix, JSON and streaming, on one shared server', async () => {
    const served = await startServer(channel);
    try {
      const calls = FAULTS.flatMap((testCase) => (['json', 'stream'] as Mode[]).map((mode) => ({ fault: testCase.fault, mode })));
      const { views, errors, successes } = await runCalls(channel, served, calls);
      expect(errors).toBeGreaterThan(20); // not vacuous
      expect(successes).toBeGreaterThan(5);
      expect(views.filter(([label]) => label.endsWith(' body')).length).toBeGreaterThanOrEqual(calls.length);
      expect(leaks(views)).toEqual([]);
      expect(written.length).toBeGreaterThan(0);
      expect(leaks(written)).toEqual([]);
    } finally {
      await served.close();
    }
  }, 60_000);

  it('the server-side core client did send the key (the check is not vacuous): the emulator saw it, redacted in its log', () => {
    const entries = emu.log.generations().filter((entry) => entry.headers['x-reliability-call']?.startsWith(`secrets-${channel}-`));
    expect(entries.length).toBeGreaterThan(20);
    for (const entry of entries) expect(entry.headers.authorization).toBe('Bearer ***');
  });

  const HOSTILE = ['json-401', 'json-400', 'comet-500', 'html-502', 'ok-200-error', 'broken-json', 'stream-error'];

  it.each(HOSTILE.flatMap((route) => [route, `${route}+headers`]))('a hostile upstream echoing the key (%s): the browser sees none of it', async (fault) => {
    const served = await startServer(channel, hostileURL);
    try {
      const mode: Mode = fault.startsWith('stream-error') ? 'stream' : 'json';
      const { views, errors } = await runCalls(channel, served, [{ fault, mode }]);
      expect(errors).toBe(1);
      expect(leaks(views)).toEqual([]);
      expect(written.length).toBeGreaterThan(0);
      // The route's server log of a streamed error event is the known core bug below; everything else is clean.
      const knownBug = channel === 'http-route' && fault.startsWith('stream-error');
      expect(leaks(knownBug ? written.filter(([, text]) => !text.startsWith('route failure:')) : written)).toEqual([]);
    } finally {
      await served.close();
    }
  });
});

describe('a stream error event echoing the key in `param`', () => {
  // Found by this suite and fixed in core: the `param` of a streamed `event: error` was copied into `error.param`
  // without scrubbing, so an app logging route failures (`onError: (error) => console.error(error)`, as the
  // react README shows) wrote the key to its server log. The browser never saw it.
  it("never reaches the route's onError log", async () => {
    const served = await startServer('http-route', hostileURL);
    try {
      await runCalls('http-route', served, [{ fault: 'stream-error', mode: 'stream' }]);
      expect(written.some(([, text]) => text.startsWith('route failure:'))).toBe(true);
      expect(leaks(written)).toEqual([]);
    } finally {
      await served.close();
    }
  });
});

/**
 * A provider that echoes the caller's key everywhere it can: error messages, `param`, `code`, HTML pages, stream
 * error events, and (with `+headers`) `x-request-id`, `www-authenticate` and a custom header. The case arrives as
 * `x-emulator-fault`, which the servers' core clients forward.
 */
function hostileUpstream(request: http.IncomingMessage, response: http.ServerResponse): void {
  const auth = request.headers.authorization ?? '';
  const key = auth.replace(/^Bearer /, '');
  const [route, echo] = String(request.headers['x-emulator-fault'] ?? '').split('+');
  request.resume();
  request.on('end', () => {
    const headers: Record<string, string> =
      echo === 'headers'
        ? { 'x-echo-authorization': auth, 'x-request-id': `req-${key}`, 'www-authenticate': `Bearer realm="${key}"` }
        : { 'x-request-id': 'req-0001' };
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { ...headers, 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (route === 'json-401')
      json(401, { error: { code: 'AuthenticationError', message: `The API key ${key} is invalid (${auth})`, param: key, type: 'Unauthorized' } });
    else if (route === 'json-400')
      json(400, { error: { code: 'InvalidParameter', message: `parameter ${key} is invalid`, param: `prompt ${key}`, type: 'BadRequest' } });
    else if (route === 'comet-500') json(500, { error: { message: `upstream said: key=${key}`, type: 'comet_api_error', code: key } });
    else if (route === 'ok-200-error') json(200, { error: { code: 'InvalidParameter', message: `bad request from ${key}` } });
    else if (route === 'html-502') {
      response.writeHead(502, { ...headers, 'content-type': 'text/html' });
      response.end(`<html><body>Bad gateway for ${auth}</body></html>`);
    } else if (route === 'stream-error') {
      response.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
      response.write(
        `event: image_generation.partial_succeeded\ndata: ${JSON.stringify({ type: 'image_generation.partial_succeeded', model: 'doubao-seedream-4-0-250828', created: 1, image_index: 0, url: 'http://127.0.0.1/img.jpeg', size: '1024x1024' })}\n\n`,
      );
      response.end(`event: error\ndata: ${JSON.stringify({ error: { code: 'InternalServiceError', message: `failed for ${auth}`, param: key } })}\n\n`);
    } else {
      response.writeHead(200, { ...headers, 'content-type': 'application/json' });
      response.end(`{"data":[{"url":"${key}`); // cut off, not JSON
    }
  });
}
