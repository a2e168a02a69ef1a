/**
 * The REAL playground server (apps/playground/server/app.mjs) attacked as an outside caller would, on loopback.
 * Its upstream is the emulator, reached in "cometapi" mode with a recognisable canary key (or, for the key-echo
 * attack, a small hostile upstream), so every paid call is counted: the emulator's log holds each request that
 * reached the generation endpoint and the images it produced. Each attack asserts the paid calls (0 unless the
 * request was allowed) and that the server stays up: `GET /` is probed concurrently during the attack (slowest
 * answer recorded, asserted only against a generous bound), and the RSS of the process hosting the server is
 * sampled every ~20 ms. The figures go to `playground-hostile-report.json` (not committed) and a table on stdout.
 *
 * Everything listens on 127.0.0.1 and is closed by the suite; every body, count and wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { renderPlaceholder, startEmulator, type Emulator, type LogEntry } from '@seedream-kit/emulator';
import { startPlayground, type Playground, type PlaygroundOptions } from '../fixtures/playground.mjs';

// ── Constants ───────────────────────────────────────────────────────────────────────────────────────────────────

/** The playground's upstream key. Deliberately not `sk-…`: the route's belt-and-braces regex must not be what hides it. */
const CANARY = 'pgcanary-7f3a9c2e5b1d4e8f-K3Y';
/** Sequential and streaming, and its smallest preset (1K) keeps the emulator's art cheap. */
const MODEL = 'doubao-seedream-4-0-250828';
const SIZE = '1K';
const SESSION_COOKIE = 'seedream_session';
const MiB = 1024 * 1024;
/** A GET / during an attack must answer within this (generous: the machine is shared); the actual figure is reported. */
const GET_BOUND_MS = 5000;
const GET_BOUND_HEAVY_MS = 20_000;
/** Bytes a client may have pushed into loopback socket buffers before a refusal reaches it; far below every body sent. */
const UNREAD_SLACK = 32 * MiB;

const APP_URL = new URL('../../apps/playground/server/app.mjs', import.meta.url).href;
const REAL_DIST = fileURLToPath(new URL('../../apps/playground/dist', import.meta.url));
const REPORT_PATH = fileURLToPath(new URL('../playground-hostile-report.json', import.meta.url));

// ── State ───────────────────────────────────────────────────────────────────────────────────────────────────────

let distDir: string;
let tempDist: string | undefined;
let emu: Emulator;
/** Default budget (60 images per caller, 600 global per hour), upstream = emulator with the canary key. */
let main: Playground;
/** Small budget: 10 per caller, 25 for all callers. */
let tight: Playground;
/** Room for forty 15-image streams. */
let roomy: Playground;
const TIGHT_BUDGET = { perCaller: { images: 10, windowSeconds: 3600 }, global: { images: 25, windowSeconds: 3600 } };
const ROOMY_BUDGET = { perCaller: { images: 1000, windowSeconds: 3600 }, global: { images: 1000, windowSeconds: 3600 } };

/** Every /api/* and /graphql answer this file received: nosniff is checked on all of them at the end. */
const answersSeen: Array<{ what: string; nosniff: string | undefined }> = [];

interface ReportRow {
  attack: string;
  paidCalls: number;
  billedImages: number;
  peakRssMiB: number;
  rssGrowthMiB: number;
  slowestGetMs: number;
  getProbes: number;
  seconds: number;
  outcome: 'pass' | 'fail';
  note?: string;
}
const report: ReportRow[] = [];

beforeAll(async () => {
  if (existsSync(join(REAL_DIST, 'index.html'))) distDir = REAL_DIST;
  else {
    // The server needs its dist/ only to serve the page: a one-file stand-in keeps the suite independent of the build.
    tempDist = mkdtempSync(join(tmpdir(), 'playground-hostile-dist-'));
    writeFileSync(join(tempDist, 'index.html'), '<!doctype html><title>Seedream playground (stand-in)</title>');
    distDir = tempDist;
  }
  emu = await startEmulator({ port: 0, host: '127.0.0.1', latency: 0 });
  const upstream: PlaygroundOptions = { port: 0, host: '127.0.0.1', apiKey: CANARY, baseURL: emu.baseURL, distDir };
  [main, tight, roomy] = await Promise.all([
    startPlayground(upstream),
    startPlayground({ ...upstream, budget: TIGHT_BUDGET }),
    startPlayground({ ...upstream, budget: ROOMY_BUDGET }),
  ]);
  expect(main.mode).toBe('cometapi');
});

afterAll(async () => {
  await Promise.all([main?.close(), tight?.close(), roomy?.close()]);
  await emu?.close();
  if (tempDist) rmSync(tempDist, { recursive: true, force: true });
  writeFileSync(
    REPORT_PATH,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, dist: distDir === REAL_DIST ? 'apps/playground/dist' : 'stand-in', rows: report }, null, 2)}\n`,
  );
  const header = ['attack', 'paid', 'images', 'peak RSS MiB', 'RSS +MiB', 'slowest GET / ms', 'probes', 's', 'outcome'];
  const rows = report.map((r) =>
    [r.attack, r.paidCalls, r.billedImages, r.peakRssMiB, r.rssGrowthMiB, r.slowestGetMs, r.getProbes, r.seconds, r.outcome].map(String),
  );
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`playground-hostile (${REPORT_PATH}):\n${[line(header), ...rows.map(line)].join('\n')}`);
});

// ── HTTP helpers (node:http, one connection per call: an outside caller, nothing pooled) ────────────────────────

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Status line, headers and body as received (for "no byte holds the key"). */
  raw: string;
  text: string;
  json: any;
}

interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
}

function call(base: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, base), { method, headers, agent: false });
    const timer = setTimeout(() => {
      request.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const head = `HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}\r\n${rawHeaders(response.rawHeaders)}\r\n`;
        noteAnswer(method, path, response.statusCode ?? 0, response.headers);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, raw: head + text, text, json });
      });
    });
    request.end(options.body);
  });
}

function rawHeaders(list: string[]): string {
  let out = '';
  for (let i = 0; i < list.length; i += 2) out += `${list[i]}: ${list[i + 1]}\r\n`;
  return out;
}

function noteAnswer(method: string, path: string, status: number, headers: http.IncomingHttpHeaders) {
  const pathname = path.split('?')[0]!;
  if (pathname === '/graphql' || pathname.startsWith('/api/')) {
    const value = headers['x-content-type-options'];
    answersSeen.push({ what: `${method} ${pathname} → ${status}`, nosniff: Array.isArray(value) ? value.join(',') : value });
  }
}

/** A visit: GET / hands out the session cookie; the APIs want it with a same-origin Origin. */
async function visit(pg: { url: string }): Promise<Record<string, string>> {
  const page = await call(pg.url, '/');
  expect(page.status).toBe(200);
  const setCookie = page.headers['set-cookie'] ?? [];
  const cookie = setCookie.map((line) => line.split(';')[0]!).find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
  expect(cookie, 'GET / sets the session cookie').toBeDefined();
  expect(setCookie.join(';')).toMatch(/HttpOnly/);
  expect(setCookie.join(';')).toMatch(/SameSite=Strict/);
  return { origin: pg.url, cookie: cookie! };
}

const JSON_TYPE = { 'content-type': 'application/json' };

function route(pg: { url: string }, session: Record<string, string>, body: unknown, extra: Record<string, string> = {}) {
  return call(pg.url, '/api/seedream', { headers: { ...session, ...JSON_TYPE, ...extra }, body: JSON.stringify(body) });
}

function graphql(pg: { url: string }, session: Record<string, string>, query: string, variables: unknown = {}, accept = 'application/graphql-response+json') {
  return call(pg.url, '/graphql', { headers: { ...session, ...JSON_TYPE, accept }, body: JSON.stringify({ query, variables }) });
}

const MUTATION = /* GraphQL */ `
  mutation Hostile($input: GenerateImagesInput!) {
    generateImages(input: $input) {
      model created requestId
      images { index url b64Json size width height outputFormat error { code message } }
      usage { generatedImages outputTokens totalTokens inputImages webSearches }
    }
  }
`;
const SUBSCRIPTION = /* GraphQL */ `
  subscription Hostile($input: GenerateImagesInput!) {
    imageGeneration(input: $input) {
      __typename model created
      ... on ImageGenerated { image { index url b64Json size width height outputFormat error { code message } } }
      ... on ImageFailed { image { index error { code message } } }
      ... on GenerationCompleted { requestId usage { generatedImages outputTokens totalTokens inputImages webSearches } }
    }
  }
`;

/** The SSE events of a whole answer: `[{ event, data }]`. */
function _sseEvents(text: string): Array<{ event: string; data: string }> {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n\n')
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join('\n') };
    })
    .filter((e) => e.data !== '');
}

function gqlCode(answer: Answer): string | undefined {
  return answer.json?.errors?.[0]?.extensions?.code;
}

interface Pushed {
  status: number;
  text: string;
  /** Body bytes the client had handed to its socket when the answer arrived. */
  writtenAtAnswer: number;
  total: number;
}

/**
 * Sends a large body without ever holding it: `prefix`, then `fill` bytes of one reused 64 KiB chunk, then `suffix`.
 * `declared`: with a Content-Length of the full size (else chunked). `headersOnly`: with a declared length, send
 * nothing of the body and wait for the answer (the proof that it was refused unread); otherwise stream until the
 * server answers, then stop. A raw socket, not http.request: a server that refuses a body it will not read
 * answers and then drops the connection, and an HTTP client that is still writing may see EPIPE before it parses
 * the answer that did arrive.
 */
function pushBody(
  base: string,
  path: string,
  options: { headers: Record<string, string>; prefix?: string; fill: number; suffix?: string; declared: boolean; headersOnly?: boolean; timeoutMs?: number },
): Promise<Pushed> {
  const { port, host } = new URL(base);
  const prefix = Buffer.from(options.prefix ?? '');
  const suffix = Buffer.from(options.suffix ?? '');
  const total = prefix.length + options.fill + suffix.length;
  const framed = (data: Buffer) => (options.declared ? data : Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]));
  const fullFrame = options.declared ? FILL_CHUNK : FILL_FRAME;
  let head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [name, value] of Object.entries(options.headers)) head += `${name}: ${value}\r\n`;
  head += options.declared ? `Content-Length: ${total}\r\n` : 'Transfer-Encoding: chunked\r\n';
  head += '\r\n'; // keep-alive, as browsers send: with `Connection: close` Node closes with the unread rest queued, and the reset can overtake the 413
  return new Promise((resolve, reject) => {
    let written = 0;
    let writtenAtAnswer = -1;
    const received: Buffer[] = [];
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const socket = net.connect(Number(port), '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 30_000);
    socket.on('data', (data: Buffer) => {
      if (writtenAtAnswer < 0) writtenAtAnswer = written;
      received.push(data);
      // The answer is in; the server may keep the connection open to drain the rest: stop after a quiet moment.
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.destroy(), 300);
    });
    socket.on('error', () => undefined); // EPIPE / ECONNRESET once the server drops the unread rest
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(quiet);
      const raw = Buffer.concat(received).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      if (!status) {
        reject(new Error(`${path}: no answer (${written} of ${total} bytes sent): ${JSON.stringify(raw.slice(0, 200))}`));
        return;
      }
      const split = raw.indexOf('\r\n\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const line of raw.slice(0, split).split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      noteAnswer('POST', path, status, headers);
      resolve({ status, text: raw, writtenAtAnswer, total });
    });
    socket.write(head);
    if (options.headersOnly) return;
    let fillLeft = options.fill;
    const answered = () => writtenAtAnswer >= 0 || socket.destroyed;
    const pump = () => {
      if (written === 0 && prefix.length > 0) {
        socket.write(framed(prefix));
        written += prefix.length;
      }
      while (!answered() && fillLeft > 0) {
        const piece = fillLeft >= FILL_CHUNK.length ? fullFrame : framed(FILL_CHUNK.subarray(0, fillLeft));
        const size = Math.min(fillLeft, FILL_CHUNK.length);
        fillLeft -= size;
        written += size;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!answered()) {
        written += suffix.length;
        if (suffix.length > 0) socket.write(framed(suffix));
        if (!options.declared) socket.write('0\r\n\r\n');
      }
    };
    pump();
  });
}

const FILL_CHUNK = Buffer.alloc(64 * 1024, 'a');
const FILL_FRAME = Buffer.concat([Buffer.from(`${FILL_CHUNK.length.toString(16)}\r\n`), FILL_CHUNK, Buffer.from('\r\n')]);

/** One raw HTTP/1.1 exchange on a fresh socket: exactly the bytes given, everything answered (or '' on a drop). */
function rawExchange(port: number, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(() => {
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (data) => chunks.push(data));
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

// ── Measurement: paid calls, RSS, slowest GET / ────────────────────────────────────────────────────────────────

interface Upstream {
  reset(): void;
  paidCalls(): number;
  billedImages(): number;
}

const emulatorUpstream = (): Upstream => ({
  reset: () => emu.log.clear(),
  paidCalls: () => emu.log.generations().length,
  billedImages: () => emu.log.generations().reduce((sum, entry) => sum + entry.imagesGenerated, 0),
});

interface Measured {
  paidCalls: number;
  billedImages: number;
  peakRssMiB: number;
  rssGrowthMiB: number;
  slowestGetMs: number;
  getProbes: number;
  probeFailures: string[];
  row: ReportRow;
}

const probeSessions = new Map<string, Record<string, string>>();
const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs an attack while sampling RSS (every ~20 ms) and probing `GET /` of the server under attack (one at a time,
 * each on a fresh connection, with a session of its own so probes add no sessions). The row goes to the report;
 * its outcome turns to `fail` if the test fails.
 */
async function measure<T>(
  attack: string,
  target: { url: string },
  run: () => Promise<T>,
  options: { upstream?: Upstream; rss?: () => number; note?: string } = {},
): Promise<{ result: T; measured: Measured }> {
  const upstream = options.upstream ?? emulatorUpstream();
  const rss = options.rss ?? (() => process.memoryUsage().rss);
  let probe = probeSessions.get(target.url);
  if (!probe) probeSessions.set(target.url, (probe = await visit(target)));
  upstream.reset();
  const started = performance.now();
  const baseline = rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 20);
  let stop = false;
  let slowest = 0;
  let probes = 0;
  const failures: string[] = [];
  const probing = (async () => {
    while (!stop) {
      const begin = performance.now();
      try {
        const page = await call(target.url, '/', { headers: probe, timeoutMs: 15_000 });
        if (page.status !== 200) failures.push(`GET / → ${page.status}`);
      } catch (error) {
        failures.push(`GET / failed: ${(error as Error).message}`);
      }
      slowest = Math.max(slowest, performance.now() - begin);
      probes++;
      if (!stop) await sleep(50);
    }
  })();
  let result: T;
  try {
    result = await run();
  } finally {
    stop = true;
    await probing;
    clearInterval(sampler);
    peak = Math.max(peak, rss());
  }
  const row: ReportRow = {
    attack,
    paidCalls: upstream.paidCalls(),
    billedImages: upstream.billedImages(),
    peakRssMiB: mb(peak),
    rssGrowthMiB: mb(peak - baseline),
    slowestGetMs: Math.round(slowest),
    getProbes: probes,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    outcome: 'pass',
    ...(options.note ? { note: options.note } : {}),
  };
  report.push(row);
  onTestFailed(() => {
    row.outcome = 'fail';
  });
  const measured: Measured = {
    paidCalls: row.paidCalls,
    billedImages: row.billedImages,
    peakRssMiB: row.peakRssMiB,
    rssGrowthMiB: row.rssGrowthMiB,
    slowestGetMs: row.slowestGetMs,
    getProbes: probes,
    probeFailures: failures,
    row,
  };
  return { result, measured };
}

function expectStayedUp(measured: Measured, boundMs = GET_BOUND_MS) {
  expect(measured.probeFailures, 'GET / during the attack').toEqual([]);
  expect(measured.getProbes).toBeGreaterThan(0);
  expect(measured.slowestGetMs, `slowest GET / during the attack (${measured.slowestGetMs} ms)`).toBeLessThan(boundMs);
}

/** Budgets count in fixed windows: keep a budget test from straddling a window's end (at most a few seconds' wait). */
async function awayFromWindowEdge(windowSeconds: number, marginMs = 15_000) {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await sleep(left + 250);
}

const series = (count: number, extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  prompt: `a series of ${count} images: a paper boat drifting past a lighthouse`,
  size: SIZE,
  watermark: false,
  sequential_image_generation: 'auto',
  sequential_image_generation_options: { max_images: count },
  ...extra,
});
const single = (extra: Record<string, unknown> = {}) => ({ model: MODEL, prompt: 'a fox in the snow', size: SIZE, watermark: false, ...extra });

/** No stack frames, install paths or dependency versions in an answer. */
function expectNoInternals(answer: string) {
  const raw = answer.replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, '<ipv4>');
  expect(raw).not.toMatch(/\n\s*at\s+\S+.*:\d+:\d+/); // a stack frame
  expect(raw).not.toMatch(/\bat (new |async )?[\w.<>]+ \(/);
  expect(raw).not.toContain('node_modules');
  expect(raw).not.toContain('/work/');
  expect(raw).not.toContain(process.cwd());
  expect(raw).not.toContain('file://');
  expect(raw).not.toMatch(/\b\d+\.\d+\.\d+\b/); // graphql 16.x, yoga 5.x, node v20.x …
  expect(raw.toLowerCase()).not.toMatch(/x-powered-by|^server:/m);
}

// ── 1. Oversized and pathological bodies ───────────────────────────────────────────────────────────────────────

describe('1. oversized bodies are refused unread', () => {
  it('a 135-million-character prompt and a 30 MB prompt with a valid session, and 190 MB anonymous bodies on every endpoint', { timeout: 60_000 }, async () => {
    const session = await visit(main);
    const results: Array<{ name: string } & Pushed> = [];
    const { measured } = await measure('1 oversized bodies', main, async () => {
      const prompt = (fill: number, declared: boolean, path: string, extra: Partial<Parameters<typeof pushBody>[2]> = {}) => {
        const graphqlBody = path === '/graphql';
        return pushBody(main.url, path, {
          headers: { ...session, ...JSON_TYPE },
          prefix: graphqlBody ? `{"query":${JSON.stringify(MUTATION)},"variables":{"input":{"prompt":"` : `{"model":"${MODEL}","prompt":"`,
          fill,
          suffix: graphqlBody ? '"}}}' : '"}',
          declared,
          ...extra,
        });
      };
      const run = async (name: string, pushing: Promise<Pushed>) => results.push({ name, ...(await pushing) });
      // With a session: the caller's cap is 1 MiB.
      await run('route, 135M chars, declared, streamed', prompt(135_000_000, true, '/api/seedream'));
      await run('route, 135M chars, chunked', prompt(135_000_000, false, '/api/seedream'));
      await run('graphql, 135M chars, chunked', prompt(135_000_000, false, '/graphql'));
      await run('route, 30 MB, declared, headers only', prompt(30 * 1000 * 1000, true, '/api/seedream', { headersOnly: true }));
      await run('graphql, 30 MB, declared, headers only', prompt(30 * 1000 * 1000, true, '/graphql', { headersOnly: true }));
      await run('route, 30 MB, chunked', prompt(30 * 1000 * 1000, false, '/api/seedream'));
      // Anonymous: 190 MB declared (nothing of it sent) and chunked without a length, on every endpoint.
      const anonymous: Array<[string, Record<string, string>]> = [
        ['/api/seedream', JSON_TYPE],
        ['/graphql', JSON_TYPE],
        ['/api/uploads', { 'content-type': 'image/png' }],
        ['/api/download', JSON_TYPE],
      ];
      for (const [path, headers] of anonymous) {
        await run(
          `${path}, anonymous, 190 MB declared, headers only`,
          pushBody(main.url, path, { headers, fill: 190 * MiB, declared: true, headersOnly: true }),
        );
        await run(`${path}, anonymous, 190 MB chunked`, pushBody(main.url, path, { headers, fill: 190 * MiB, declared: false }));
      }
    });
    measured.row.note = results.map((r) => `${r.name}: ${r.status} after ${mb(r.writtenAtAnswer)} of ${mb(r.total)} MiB sent`).join('; ');

    const expected: Record<string, number> = {
      '/api/seedream': 403, // the caller is unknown: refused before reading
      '/graphql': 413, // anonymous cap 16 KiB
      '/api/uploads': 403,
      '/api/download': 405, // GET only
    };
    for (const r of results) {
      const path = r.name.split(',')[0]!;
      const status = r.name.includes('anonymous') ? expected[path] : 413;
      expect(r.status, r.name).toBe(status);
      if (r.name.includes('headers only')) expect(r.writtenAtAnswer, r.name).toBe(0);
      else expect(r.writtenAtAnswer, `${r.name}: bytes sent before the answer`).toBeLessThan(Math.min(UNREAD_SLACK, r.total / 2));
      expectNoInternals(r.text);
    }
    expect(measured.paidCalls).toBe(0);
    // A buffered 135 MB or 190 MB body would show here; streaming from one reused chunk costs nothing.
    expect(measured.rssGrowthMiB, 'RSS growth of the process hosting the server').toBeLessThan(128);
    expectStayedUp(measured);
  });
});

// ── 2. Forged headers without the session ──────────────────────────────────────────────────────────────────────

describe('2. forged same-origin headers without the session spend nothing', () => {
  it('forged Origin / Sec-Fetch-Site with no cookie, a made-up cookie, or a real cookie from elsewhere → 403 / FORBIDDEN', async () => {
    const real = await visit(main);
    const otherServers = await visit(tight); // a live session, but of another server
    const same = { origin: main.url };
    const fetchSite = { 'sec-fetch-site': 'same-origin' };
    const madeUp = `${SESSION_COOKIE}=${randomBytes(24).toString('base64url')}`;
    const variants: Array<[string, Record<string, string>]> = [
      ['forged Origin, no cookie', same],
      ['forged Sec-Fetch-Site, no cookie', fetchSite],
      ['forged Origin, made-up cookie', { ...same, cookie: madeUp }],
      ['forged Sec-Fetch-Site, made-up cookie', { ...fetchSite, cookie: madeUp }],
      ['forged Origin, malformed cookie', { ...same, cookie: `${SESSION_COOKIE}=../../${'x'.repeat(40)}` }],
      ['real cookie inside a 9 000-byte Cookie header', { ...same, cookie: `${real.cookie}; pad=${'y'.repeat(9000)}` }],
      ["forged Origin, another server's session", { ...same, cookie: otherServers.cookie! }],
      ['real cookie, cross-site Origin', { origin: 'https://evil.example', cookie: real.cookie! }],
      ['real cookie, look-alike Origin', { origin: `${main.url}.evil.example`, cookie: real.cookie! }],
      ['real cookie, Origin: null', { origin: 'null', cookie: real.cookie! }],
      ['real cookie, Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', cookie: real.cookie! }],
      ['real cookie, no Origin nor Sec-Fetch-Site', { cookie: real.cookie! }],
    ];
    const png = await renderPlaceholder({ prompt: 'reference', width: 32, height: 32 });
    const outcomes: string[] = [];
    const { measured } = await measure('2 forged headers', main, async () => {
      for (const [name, headers] of variants) {
        const viaRoute = await route(main, headers, single());
        expect(viaRoute.status, `route: ${name}`).toBe(403);
        expect(viaRoute.json?.error?.kind, `route: ${name}`).toBe('permission');
        const viaMutation = await graphql(main, headers, MUTATION, { input: { prompt: 'a fox', model: MODEL, size: SIZE } });
        expect(gqlCode(viaMutation), `mutation: ${name}`).toBe('FORBIDDEN');
        expect(viaMutation.json?.data?.generateImages ?? null).toBeNull();
        const viaSubscription = await graphql(main, headers, SUBSCRIPTION, { input: { prompt: 'a fox', model: MODEL, size: SIZE } }, 'text/event-stream');
        expect(viaSubscription.text, `subscription: ${name}`).toContain('FORBIDDEN');
        expect(viaSubscription.text).not.toContain('ImageGenerated');
        const viaUpload = await call(main.url, '/api/uploads', { headers: { ...headers, 'content-type': 'image/png' }, body: png });
        expect(viaUpload.status, `upload: ${name}`).toBe(403);
        const viaDownload = await call(main.url, `/api/download?url=${encodeURIComponent('https://x.volces.com/a.png')}`, { headers });
        expect(viaDownload.status, `download: ${name}`).toBe(403);
        outcomes.push(`${name}: ${viaRoute.status}/${gqlCode(viaMutation)}/${viaUpload.status}/${viaDownload.status}`);
      }
    });
    measured.row.note = `${variants.length} variants × route, mutation, subscription, upload, download`;
    expect(measured.paidCalls).toBe(0);
    expectStayedUp(measured);

    // The control: the same request with the real session and a same-origin Origin is allowed (and billed once).
    const allowed = await route(main, real, single());
    expect(allowed.status).toBe(200);
    expect(emu.log.generations()).toHaveLength(1);
  });
});

// ── 3. Budget exhaustion under parallel load ───────────────────────────────────────────────────────────────────

describe('3. budgets hold under parallel load', () => {
  it('one session, 20 parallel 15-image series on the default budget: at most 60 images billed, the rest 429 + Retry-After', { timeout: 60_000 }, async () => {
    await awayFromWindowEdge(3600);
    const session = await visit(main);
    const { result: answers, measured } = await measure('3a per-caller budget (defaults, 20×15)', main, () =>
      Promise.all(Array.from({ length: 20 }, () => route(main, session, series(15)))),
    );
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    measured.row.note = `${ok.length} admitted, ${refused.length} refused 429 (Retry-After ${[...new Set(refused.map((a) => a.headers['retry-after']))].join(',')} s)`;
    expect(ok.length + refused.length).toBe(20);
    expect(measured.billedImages).toBeLessThanOrEqual(60);
    expect(ok.length).toBe(4); // 4 × 15 = 60
    expect(measured.paidCalls).toBe(ok.length);
    expect(ok.reduce((sum, a) => sum + a.json.images.length, 0)).toBe(measured.billedImages);
    for (const answer of refused) {
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(answer.json.error).toMatchObject({ kind: 'rate_limit', status: 429 });
      expect(answer.json.error.retryAfter).toBeGreaterThan(0);
    }
    // The same session through GraphQL shares the budget: refused, not billed.
    const viaGraphql = await graphql(main, session, MUTATION, { input: { prompt: 'one more', model: MODEL, size: SIZE } });
    expect(gqlCode(viaGraphql)).toBe('RATE_LIMITED');
    expect(emu.log.generations()).toHaveLength(ok.length);
    expectStayedUp(measured);
  });

  it('many sessions in parallel (route and GraphQL) meet the global ceiling: at most 25 images, at most 10 per caller', { timeout: 60_000 }, async () => {
    await awayFromWindowEdge(3600);
    const sessions = await Promise.all(Array.from({ length: 8 }, () => visit(tight)));
    const { result, measured } = await measure('3b global ceiling (8 sessions, 25 images)', tight, () =>
      Promise.all(
        sessions.flatMap((session, s) =>
          Array.from({ length: 3 }, async (_, i) => {
            // Each session asks 3 × 5 images (over its 10), half of them through GraphQL: one policy for both.
            if ((s + i) % 2 === 0) {
              const answer = await route(tight, session, series(5));
              return { session: s, ok: answer.status === 200, limited: answer.status === 429, retryAfter: answer.headers['retry-after'], via: 'route' };
            }
            const answer = await graphql(tight, session, MUTATION, {
              input: { prompt: 'a series of 5 images: kites', model: MODEL, size: SIZE, sequential: true, maxImages: 5 },
            });
            return {
              session: s,
              ok: !!answer.json?.data?.generateImages,
              limited: gqlCode(answer) === 'RATE_LIMITED',
              retryAfter: answer.json?.errors?.[0]?.extensions?.retryAfter,
              via: 'graphql',
            };
          }),
        ),
      ),
    );
    const admitted = result.filter((r) => r.ok);
    measured.row.note = `${admitted.length} of ${result.length} admitted (${admitted.filter((r) => r.via === 'graphql').length} via GraphQL); ${result.filter((r) => r.limited).length} refused`;
    expect(result.every((r) => r.ok || r.limited)).toBe(true);
    expect(measured.billedImages).toBeLessThanOrEqual(25);
    expect(admitted.length).toBe(5); // 5 × 5 = the global 25
    expect(measured.paidCalls).toBe(admitted.length);
    for (let s = 0; s < sessions.length; s++) expect(admitted.filter((r) => r.session === s).length * 5).toBeLessThanOrEqual(10);
    for (const refused of result.filter((r) => r.limited)) expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // A fresh visitor gets nothing either: the ceiling is for everyone.
    const late = await route(tight, await visit(tight), single());
    expect(late.status).toBe(429);
    expect(late.json.error.message).toMatch(/this site/);
    expectStayedUp(measured);
  });
});

// ── 4. Malformed Host and request targets (raw sockets, against the server in a child process) ────────────────

interface ChildServer {
  url: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  alive: () => boolean;
  rss: () => number;
  close: () => Promise<void>;
}

/** The playground in a process of its own (as `pnpm start` runs it): a throw nobody catches would end it. */
async function startChildPlayground(options: PlaygroundOptions): Promise<ChildServer> {
  const script = `
    const { startPlayground } = await import(${JSON.stringify(APP_URL)});
    const pg = await startPlayground(JSON.parse(process.env.HOSTILE_PLAYGROUND_OPTIONS));
    process.stdout.write(JSON.stringify({ url: pg.url }) + '\\n');
    process.on('SIGTERM', () => pg.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../apps/playground/', import.meta.url)),
    env: { ...process.env, COMETAPI_KEY: '', HOSTILE_PLAYGROUND_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child playground did not start: ${stderr}`)), 20_000);
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child playground exited (${code}): ${stderr}`));
    });
  });
  let lastRss = 0;
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    rss: () => {
      try {
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        if (kb) lastRss = Number(kb) * 1024;
      } catch {
        // gone: keep the last figure
      }
      return lastRss;
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

describe('4. malformed Host and request targets', () => {
  it('raw sockets on /graphql and /api/seedream: 400, no stack traces or internals, the process stays up', { timeout: 60_000 }, async () => {
    const server = await startChildPlayground({ port: 0, host: '127.0.0.1', apiKey: CANARY, baseURL: emu.baseURL, distDir });
    try {
      const session = await visit(server);
      const port = server.port;
      const good = `127.0.0.1:${port}`;
      const body = JSON.stringify(single());
      const gqlBody = JSON.stringify({ query: MUTATION, variables: { input: { prompt: 'a fox', model: MODEL, size: SIZE } } });
      const request = (target: string, host: string | undefined, payload: string, extraHeaders = '') =>
        `POST ${target} HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Origin: ${session.origin}\r\nCookie: ${session.cookie}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n${extraHeaders}\r\n${payload}`;
      const cases: Array<{ name: string; text: string; status: number | 'dropped-or-400' }> = [];
      for (const [path, payload] of [
        ['/api/seedream', body],
        ['/graphql', gqlBody],
      ] as const) {
        for (const host of ['a b', '[::1', '127.0.0.1:1.evil', `${good}.evil`, `evil.example`, `${good}@evil.example`, `localhost:${port + 1}`, '']) {
          cases.push({ name: `${path} Host ${JSON.stringify(host)}`, text: request(path, host, payload), status: 400 });
        }
        cases.push({ name: `${path} no Host`, text: request(path, undefined, payload), status: 400 });
        cases.push({ name: `${path} two Hosts`, text: request(path, good, payload, `Host: evil.example\r\n`), status: 'dropped-or-400' });
        for (const target of [
          `http://${good}${path}`, // absolute-form, even naming this server
          `http://evil.example${path}`,
          `//x${path}`,
          `//x`,
          `/\\x${path}`,
          `//${good}${path}`,
          `//[`,
          `/\\[`,
          `//[::1${path}`,
          `*`,
          path.slice(1), // no leading slash
        ]) {
          cases.push({ name: `${path} target ${JSON.stringify(target)}`, text: request(target, good, payload), status: 400 });
        }
      }
      cases.push({ name: 'CONNECT authority-form', text: `CONNECT ${good} HTTP/1.1\r\nHost: ${good}\r\n\r\n`, status: 'dropped-or-400' });
      cases.push({ name: 'GET //[ (unauthenticated, one line)', text: `GET //[ HTTP/1.1\r\nHost: ${good}\r\nConnection: close\r\n\r\n`, status: 400 });

      const seen: string[] = [];
      const { measured } = await measure(
        '4 malformed Host / targets',
        server,
        async () => {
          for (const c of cases) {
            const answer = await rawExchange(port, c.text);
            const statusLine = answer.split('\r\n')[0] ?? '';
            seen.push(`${c.name}: ${statusLine || '(dropped)'}`);
            // Soft: every case runs and is reported, even after one fails (or the process is gone).
            if (c.status === 400) expect.soft(statusLine, c.name).toMatch(/^HTTP\/1\.1 400 /);
            else expect.soft(statusLine === '' || /^HTTP\/1\.1 400 /.test(statusLine), `${c.name}: ${statusLine}`).toBe(true);
            expectNoInternals(answer.replace(/^Date: .*$/im, ''));
            expect.soft(server.alive(), `the server process is still running after: ${c.name}\n${server.stderr()}`).toBe(true);
          }
        },
        { rss: server.rss, note: 'server in a child process (a throw nobody catches ends it); RSS is the child’s' },
      );
      measured.row.note += `; ${cases.length} requests`;
      expect(server.alive(), server.stderr()).toBe(true);
      expect(server.stderr()).not.toMatch(/Invalid URL|TypeError|uncaught/i);
      expect(measured.paidCalls).toBe(0);
      expectStayedUp(measured);
      const after = await call(server.url, '/api/info');
      expect(after.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

// ── 5. Foreign models and unknown nested keys ──────────────────────────────────────────────────────────────────

describe('5. foreign models are refused, unknown keys never forwarded', () => {
  it('gpt-image-1 / dall-e-3 via route and GraphQL → refused; unknown keys at any depth → dropped', { timeout: 30_000 }, async () => {
    const session = await visit(main);
    const { result, measured } = await measure('5 foreign models, unknown keys', main, async () => {
      const refusals: Answer[] = [];
      for (const model of ['gpt-image-1', 'dall-e-3', 'openai/gpt-image-1', 'DALL-E-3']) {
        const answer = await route(main, session, { model, prompt: 'a fox' });
        expect(answer.status, model).toBe(400);
        expect(answer.json.error.fields?.[0]?.path, model).toBe('model');
        refusals.push(answer);
        const streamed = await route(main, session, { model, prompt: 'a fox', stream: true });
        expect(streamed.status, `${model} stream`).toBe(400);
        const mutation = await graphql(main, session, MUTATION, { input: { prompt: 'a fox', model } });
        expect(gqlCode(mutation), model).toBe('BAD_USER_INPUT');
        expect(JSON.stringify(mutation.json.errors)).toContain('model');
        const subscription = await graphql(main, session, SUBSCRIPTION, { input: { prompt: 'a fox', model } }, 'text/event-stream');
        expect(subscription.text).toContain('BAD_USER_INPUT');
      }
      // GraphQL's input type has no room for unknown keys: refused before any resolver.
      const unknownVariable = await graphql(main, session, MUTATION, {
        input: { prompt: 'a fox', model: MODEL, n: 5, tools: [{ url: 'http://evil.example' }] },
      });
      expect(gqlCode(unknownVariable)).toBe('BAD_USER_INPUT');
      const unknownLiteral = await graphql(main, session, 'mutation { generateImages(input: { prompt: "a fox", n: 5 }) { model } }');
      expect(gqlCode(unknownLiteral)).toBe('GRAPHQL_VALIDATION_FAILED');
      // Through the route, unknown keys are dropped at every depth and the allowed rest goes through.
      const nestedBody = JSON.stringify({
        ...series(2, { sequential_image_generation_options: { max_images: 2, n: 50, callback_url: 'http://evil.example/cb' } }),
        n: 10,
        api_key: 'stolen',
        callback_url: 'http://evil.example/cb',
        extra_body: { model: 'gpt-image-1' },
        constructor: { prototype: { polluted: true } },
      }).replace(/^\{/, '{"__proto__":{"polluted":true},'); // an own "__proto__" key, as JSON.parse makes it
      const nested = await call(main.url, '/api/seedream', { headers: { ...session, ...JSON_TYPE }, body: nestedBody });
      expect(nested.status, nested.text).toBe(200);
      const tools = await route(main, session, {
        model: 'doubao-seedream-5-0-260128',
        prompt: 'the latest news, as a poster',
        size: '2K',
        watermark: false,
        tools: [{ type: 'web_search', url: 'http://evil.example/x', headers: { authorization: 'x' } }],
      });
      expect(tools.status, tools.text).toBe(200);
      return { refusals };
    });
    expect(result.refusals).toHaveLength(4);
    measured.row.note =
      '16 foreign-model requests (route JSON/SSE, mutation, subscription) + 2 GraphQL unknown-key requests refused; 2 route requests with unknown keys forwarded without them';
    expect(measured.paidCalls).toBe(2);
    const bodies = emu.log.generations().map((entry: LogEntry) => entry.body as Record<string, unknown>);
    const [series2, withTools] = bodies;
    expect(series2!.sequential_image_generation_options).toEqual({ max_images: 2 });
    expect(withTools!.tools).toEqual([{ type: 'web_search' }]);
    for (const forwarded of bodies) {
      const text = JSON.stringify(forwarded);
      for (const word of ['gpt-image-1', 'dall-e-3', 'evil.example', 'stolen', 'callback_url', 'api_key', 'extra_body', 'polluted', '"n"'])
        expect(text).not.toContain(word);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectStayedUp(measured);
  });
});

// ── 6. An upstream that echoes the key ─────────────────────────────────────────────────────────────────────────

interface EchoUpstream {
  baseURL: string;
  calls: number;
  images: number;
  keysSeen: Set<string>;
  close(): Promise<void>;
}

/**
 * A hostile upstream: answers a success whose every string field (`model`, `data[].url`, `size`, `output_format`,
 * usage, request ids, failed slots' code and message) holds the Authorization key it received, and streams events
 * that each echo it. A prompt containing `ECHO-HEADERS` also gets it in `x-request-id`; `ECHO-ERROR` gets a 400
 * whose message, param and code echo it.
 */
async function startEchoUpstream(): Promise<EchoUpstream> {
  const state = { calls: 0, images: 0, keysSeen: new Set<string>() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/images/generations')) {
        res.writeHead(404).end();
        return;
      }
      state.calls++;
      const key = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      state.keysSeen.add(key);
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // answered all the same
      }
      const prompt = String(body.prompt ?? '');
      const headers: Record<string, string> = prompt.includes('ECHO-HEADERS') ? { 'x-request-id': `req-${key}` } : { 'x-request-id': 'req-echo-0001' };
      const model = `${body.model ?? MODEL}-${key}`;
      const created = Math.floor(Date.now() / 1000);
      const url = (i: number) => `https://echo.volces.com/${key}/${i}.jpeg?X-Tos-Credential=${encodeURIComponent(key)}&k=${key}`;
      const usage = { generated_images: 1, output_tokens: `${key}`, total_tokens: `4096 ${key}`, input_images: key, tool_usage: { web_search: key } };
      if (prompt.includes('ECHO-ERROR')) {
        res
          .writeHead(400, { ...headers, 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: `InvalidParameter${key}`, message: `The key ${key} is wrong`, param: `prompt.${key}`, type: key } }));
        return;
      }
      if (body.stream === true) {
        res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        send('image_generation.partial_succeeded', {
          type: 'image_generation.partial_succeeded',
          model,
          created,
          image_index: 0,
          url: url(0),
          size: `1024x1024${key}`,
          output_format: key,
          request_id: key,
        });
        state.images++;
        send('image_generation.partial_failed', {
          type: 'image_generation.partial_failed',
          model,
          created,
          image_index: 1,
          error: { code: `OutputImageSensitiveContentDetected${key}`, message: key, param: key },
        });
        send('image_generation.completed', { type: 'image_generation.completed', model, created, usage, request_id: key, tools: [{ type: key }] });
        res.end('data: [DONE]\n\n');
        return;
      }
      state.images++;
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(
        JSON.stringify({
          model,
          created,
          id: key,
          request_id: key,
          data: [
            { url: url(0), size: `1024x1024${key}`, output_format: key, revised_prompt: key },
            { error: { code: `OutputImageSensitiveContentDetected${key}`, message: key } },
          ],
          usage,
          tools: [{ type: key }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get calls() {
      return state.calls;
    },
    get images() {
      return state.images;
    },
    keysSeen: state.keysSeen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('6. an upstream that echoes the key', () => {
  it('route (JSON, SSE) and GraphQL (mutation, subscription over SSE): the canary key is in no response byte', { timeout: 30_000 }, async () => {
    const echo = await startEchoUpstream();
    const echoing = await startPlayground({ port: 0, host: '127.0.0.1', apiKey: CANARY, baseURL: echo.baseURL, distDir });
    const logged: string[] = [];
    const spies = (['error', 'warn', 'log', 'info'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(format(...args));
      }),
    );
    try {
      const session = await visit(echoing);
      let before = { calls: 0, images: 0 };
      const upstream: Upstream = {
        reset: () => (before = { calls: echo.calls, images: echo.images }),
        paidCalls: () => echo.calls - before.calls,
        billedImages: () => echo.images - before.images,
      };
      const answers: Array<{ name: string; answer: Answer }> = [];
      const { measured } = await measure(
        '6 upstream echoing the key',
        echoing,
        async () => {
          for (const marker of ['', 'ECHO-HEADERS ', 'ECHO-ERROR ']) {
            const prompt = `${marker}a series of 2 images: lanterns`;
            const base = { model: MODEL, prompt, size: SIZE, sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 2 } };
            answers.push({ name: `${marker}route JSON`, answer: await route(echoing, session, base) });
            answers.push({ name: `${marker}route SSE`, answer: await route(echoing, session, { ...base, stream: true }, { accept: 'text/event-stream' }) });
            const input = { prompt, model: MODEL, size: SIZE, sequential: true, maxImages: 2 };
            answers.push({ name: `${marker}GraphQL mutation`, answer: await graphql(echoing, session, MUTATION, { input }) });
            answers.push({ name: `${marker}GraphQL subscription`, answer: await graphql(echoing, session, SUBSCRIPTION, { input }, 'text/event-stream') });
          }
        },
        { upstream, note: 'upstream: a fake echoing the key' },
      );
      // The test means something: the key did reach the upstream, every call went there, and answers came back.
      expect([...echo.keysSeen]).toEqual([CANARY]);
      // …and the echoed fields did flow through to the caller (with the key taken out), so absence means scrubbed.
      const passedThrough = answers.filter(({ answer }) => answer.raw.includes('echo.volces.com')).map(({ name }) => name);
      expect(passedThrough).toEqual(expect.arrayContaining(['route JSON', 'route SSE', 'GraphQL mutation', 'GraphQL subscription']));
      expect(measured.paidCalls).toBe(answers.length);
      const leaks = answers
        .filter(({ answer }) => answer.raw.includes(CANARY))
        .map(({ name, answer }) => {
          const at = answer.raw.indexOf(CANARY);
          return `${name} (HTTP ${answer.status}): …${answer.raw.slice(Math.max(0, at - 80), at + CANARY.length + 20).replace(/\s+/g, ' ')}…`;
        });
      measured.row.note = `${answers.length} answers (${answers.map((a) => a.answer.status).join(',')}); ${leaks.length} held the key${leaks.length ? `: ${leaks.map((l) => l.split(' (')[0]).join(', ')}` : ''}`;
      expect(leaks, 'answers holding the canary key').toEqual([]);
      expect(
        logged.filter((line) => line.includes(CANARY)),
        'console lines holding the key',
      ).toEqual([]);
      expectStayedUp(measured);
    } finally {
      for (const spy of spies) spy.mockRestore();
      await echoing.close();
      await echo.close();
    }
  });
});

// ── 7. CORS preflights from another origin ─────────────────────────────────────────────────────────────────────

describe('7. CORS: another origin is never let in', () => {
  it('OPTIONS /graphql, /api/seedream, /api/uploads, /api/download and real requests from another origin: no ACAO echo, no credentials', async () => {
    const session = await visit(main);
    const evil = 'https://evil.example';
    const preflight = { origin: evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, cookie' };
    const { result, measured } = await measure('7 CORS preflights', main, async () => {
      const answers: Array<[string, Answer]> = [];
      for (const path of ['/graphql', '/api/seedream', '/api/uploads', '/api/download', '/api/info', '/']) {
        answers.push([`OPTIONS ${path}`, await call(main.url, path, { method: 'OPTIONS', headers: preflight })]);
        answers.push([`OPTIONS ${path} (null origin)`, await call(main.url, path, { method: 'OPTIONS', headers: { ...preflight, origin: 'null' } })]);
      }
      answers.push([
        'POST /graphql from evil',
        await graphql(main, { ...session, origin: evil }, MUTATION, { input: { prompt: 'x', model: MODEL, size: SIZE } }),
      ]);
      answers.push(['POST /api/seedream from evil', await route(main, { ...session, origin: evil }, single())]);
      answers.push(['GET /graphql models from evil', await call(main.url, '/graphql?query=%7BseedreamModels%7Bid%7D%7D', { headers: { origin: evil } })]);
      answers.push(['GET /api/info from evil', await call(main.url, '/api/info', { headers: { origin: evil } })]);
      return answers;
    });
    for (const [name, answer] of result) {
      const allowOrigin = answer.headers['access-control-allow-origin'];
      expect(allowOrigin, name).not.toBe(evil);
      expect(allowOrigin, name).not.toBe('*');
      expect(allowOrigin, name).not.toBe('null');
      expect(answer.headers['access-control-allow-credentials'], name).not.toBe('true');
      expect(answer.status, name).not.toBe(204); // no preflight is approved
    }
    measured.row.note = result.map(([name, a]) => `${name}: ${a.status}`).join('; ');
    expect(measured.paidCalls).toBe(0);
    expectStayedUp(measured);
  });
});

// ── 8. nosniff on every API answer ─────────────────────────────────────────────────────────────────────────────

describe('8. X-Content-Type-Options: nosniff on every API answer', () => {
  it('route, GraphQL, uploads, download, info: successes and errors', { timeout: 30_000 }, async () => {
    // Download re-serves only the in-process emulator's images or the provider's https hosts: its success path
    // needs the emulator mode (no key), so that one playground runs without the canary.
    const offline = await startPlayground({ port: 0, host: '127.0.0.1', apiKey: '', distDir, emulatorOptions: { latency: 0 } });
    try {
      expect(offline.mode).toBe('emulator');
      const session = await visit(main);
      const offlineSession = await visit(offline);
      const png = await renderPlaceholder({ prompt: 'reference', width: 32, height: 32 });
      const { result, measured } = await measure('8 nosniff everywhere', main, async () => {
        const answers: Array<[string, Answer]> = [];
        const add = async (name: string, answer: Promise<Answer>) => answers.push([name, await answer]);
        await add('route 200 JSON', route(main, session, single()));
        await add('route 200 SSE', route(main, session, { ...series(2), stream: true }, { accept: 'text/event-stream' }));
        await add('route 400', route(main, session, { model: 'gpt-image-1', prompt: 'x' }));
        await add('route 400 malformed JSON', call(main.url, '/api/seedream', { headers: { ...session, ...JSON_TYPE }, body: '{"prompt":' }));
        await add('route 403', route(main, { origin: main.url }, single()));
        await add('route 405', call(main.url, '/api/seedream', { headers: session }));
        await add('route 413', call(main.url, '/api/seedream', { headers: { ...session, ...JSON_TYPE }, body: `{"prompt":"${'a'.repeat(MiB + 10)}"}` }));
        await add('route 415', call(main.url, '/api/seedream', { headers: { ...session, 'content-type': 'text/plain' }, body: '{}' }));
        await add('api 404 (dot segments)', call(main.url, '/api/seedream/../nope', { headers: session }));
        await add('graphql 200 mutation', graphql(main, session, MUTATION, { input: { prompt: 'a fox', model: MODEL, size: SIZE } }));
        await add(
          'graphql 200 subscription SSE',
          graphql(main, session, SUBSCRIPTION, { input: { prompt: 'a fox', model: MODEL, size: SIZE } }, 'text/event-stream'),
        );
        await add('graphql GET query', call(main.url, '/graphql?query=%7BseedreamModels%7Bid%7D%7D'));
        await add('graphql FORBIDDEN', graphql(main, { origin: main.url }, MUTATION, { input: { prompt: 'a fox' } }));
        await add('graphql parse error', graphql(main, session, 'mutation {'));
        await add('graphql 413', call(main.url, '/graphql', { headers: JSON_TYPE, body: `{"query":"${'a'.repeat(20_000)}"}` }));
        await add(
          'graphql 415 text/plain',
          call(main.url, '/graphql', { headers: { ...session, 'content-type': 'text/plain' }, body: '{"query":"{__typename}"}' }),
        );
        await add(
          'graphql GET mutation',
          call(main.url, `/graphql?query=${encodeURIComponent('mutation { generateImages(input:{prompt:"x"}) { model } }')}`, { headers: session }),
        );
        await add('uploads 201', call(main.url, '/api/uploads', { headers: { ...session, 'content-type': 'image/png' }, body: png }));
        await add('uploads 403', call(main.url, '/api/uploads', { headers: { 'content-type': 'image/png' }, body: png }));
        await add('uploads 405', call(main.url, '/api/uploads', { headers: session }));
        await add('uploads 413', call(main.url, '/api/uploads', { headers: { ...session, 'content-type': 'image/png' }, body: new Uint8Array(10 * MiB + 1) }));
        await add('uploads 415', call(main.url, '/api/uploads', { headers: { ...session, 'content-type': 'image/png' }, body: 'not an image' }));
        await add('download 400', call(main.url, '/api/download?url=nope', { headers: session }));
        await add('download 403 host', call(main.url, `/api/download?url=${encodeURIComponent('http://169.254.169.254/latest')}`, { headers: session }));
        await add('download 403 session', call(main.url, '/api/download?url=x'));
        await add('download 405', call(main.url, '/api/download', { method: 'POST', headers: session, body: '' }));
        const generated = await route(offline, offlineSession, single());
        // The playground keeps every image and reports its own URL for it, served by the route to the session.
        const storedUrl: string = generated.json.images[0].url;
        expect(storedUrl).toMatch(/^\/api\/seedream\/jobs\/job_[A-Za-z0-9_-]{32}\/images\/0$/);
        await add('route 200 stored image', call(offline.url, storedUrl, { method: 'GET', headers: offlineSession }));
        await add('route 404 stored image, other session', call(offline.url, storedUrl, { method: 'GET', headers: await visit(offline) }));
        // The download proxy re-serves the emulator's own URLs (what a provider URL is in live mode).
        const direct = await fetch(`${offline.emulator!.baseURL}/images/generations`, {
          method: 'POST',
          headers: { authorization: 'Bearer emulator-key', 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, prompt: 'a fox', size: SIZE }),
        });
        const imageUrl: string = (await direct.json()).data[0].url;
        await add(
          'download 200 (emulator mode)',
          call(offline.url, `/api/download?url=${encodeURIComponent(imageUrl)}&filename=fox.png`, { headers: offlineSession }),
        );
        await add(
          'download 502 (emulator mode, unknown image)',
          call(offline.url, `/api/download?url=${encodeURIComponent(`${offline.emulator!.url}/nope.png`)}`, { headers: offlineSession }),
        );
        await add('info 200', call(main.url, '/api/info'));
        await add('api 404', call(main.url, '/api/nope'));
        await add('bad Host 400', call(main.url, '/api/info', { headers: { host: 'evil.example' } }));
        return answers;
      });
      const statuses = Object.fromEntries(result.map(([name, a]) => [name, a.status]));
      measured.row.note = `${result.length} answers: ${result.map(([name, a]) => `${name}=${a.status}`).join(', ')}`;
      expect(statuses['download 200 (emulator mode)']).toBe(200);
      expect(statuses['route 200 stored image']).toBe(200);
      expect(statuses['route 404 stored image, other session']).toBe(404);
      expect(statuses['uploads 201']).toBe(201);
      expect(statuses['route 200 JSON']).toBe(200);
      expect(statuses['graphql 200 mutation']).toBe(200);
      const missing = result.filter(([, a]) => a.headers['x-content-type-options'] !== 'nosniff').map(([name, a]) => `${name} (${a.status})`);
      expect(missing, 'answers without nosniff').toEqual([]);
      expect(measured.paidCalls).toBe(4); // route JSON and SSE, the GraphQL mutation and subscription (the offline playground has its own emulator)
      expectStayedUp(measured);
    } finally {
      await offline.close();
    }
  });
});

// ── 9. Forty concurrent b64_json streams ──────────────────────────────────────────────────────────────────────

interface StreamCount {
  status: number;
  images: number;
  done: boolean;
  errors: number;
  bytes: number;
}

/** A 15-image b64 stream counted as it arrives, never held whole. */
function countStream(base: string, session: Record<string, string>, body: unknown): Promise<StreamCount> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(new URL('/api/seedream', base), {
      method: 'POST',
      agent: false,
      headers: { ...session, ...JSON_TYPE, accept: 'text/event-stream', 'content-length': String(Buffer.byteLength(payload)) },
    });
    const timer = setTimeout(() => request.destroy(new Error('stream: no end within 60 s')), 60_000);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      noteAnswer('POST', '/api/seedream', response.statusCode ?? 0, response.headers);
      const count: StreamCount = { status: response.statusCode ?? 0, images: 0, done: false, errors: 0, bytes: 0 };
      let partial = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        count.bytes += text.length;
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'event: image') count.images++;
          else if (line === 'event: done') count.done = true;
          else if (line === 'event: error') count.errors++;
        }
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve(count);
      });
    });
    request.end(payload);
  });
}

describe('9. forty concurrent b64_json streams', () => {
  it('40 × 15 images as base64 over SSE: all delivered, GET / still answers', { timeout: 90_000 }, async () => {
    const session = await visit(roomy);
    const started = performance.now();
    // 100 ms per image: the streams overlap for seconds (not one burst), so GET / is probed while all 40 are open.
    emu.setFaults('latency=100');
    let run: Awaited<ReturnType<typeof measure<StreamCount[]>>>;
    try {
      run = await measure('9 forty b64 streams (40×15)', roomy, () =>
        Promise.all(Array.from({ length: 40 }, () => countStream(roomy.url, session, { ...series(15), response_format: 'b64_json', stream: true }))),
      );
    } finally {
      emu.setFaults(undefined);
    }
    const { result, measured } = run;
    const seconds = (performance.now() - started) / 1000;
    const totalBytes = result.reduce((sum, r) => sum + r.bytes, 0);
    measured.row.note = `${result.reduce((s, r) => s + r.images, 0)} images in ${seconds.toFixed(1)} s, ${mb(totalBytes)} MiB of SSE`;
    for (const r of result) {
      expect(r.status).toBe(200);
      expect(r.errors).toBe(0);
      expect(r.images).toBe(15);
      expect(r.done).toBe(true);
    }
    expect(measured.paidCalls).toBe(40);
    expect(measured.billedImages).toBe(600);
    expectStayedUp(measured, GET_BOUND_HEAVY_MS);
  });
});

// ── 10. Uploads ───────────────────────────────────────────────────────────────────────────────────────────────

describe('10. uploads', () => {
  it('over the cap → 413 unread, non-image → 415, another session’s or an unknown / evicted handle → 400 image[0], a valid handle works', {
    timeout: 60_000,
  }, async () => {
    const a = await visit(main);
    const b = await visit(main);
    const png = await renderPlaceholder({ prompt: 'a red reference square', width: 64, height: 64 });
    const { result, measured } = await measure('10 uploads', main, async () => {
      const upload = (session: Record<string, string>, body: string | Uint8Array, type = 'image/png') =>
        call(main.url, '/api/uploads', { headers: { ...session, 'content-type': type }, body });
      const declared = await pushBody(main.url, '/api/uploads', {
        headers: { ...a, 'content-type': 'image/png' },
        fill: 11 * MiB,
        declared: true,
        headersOnly: true,
      });
      const chunked = await pushBody(main.url, '/api/uploads', { headers: { ...a, 'content-type': 'image/png' }, fill: 64 * MiB, declared: false });
      const notImage = await upload(a, 'plain text pretending to be a PNG');
      const wrongType = await upload(a, png, 'text/plain');
      const stored = await upload(a, png);
      expect(stored.status, stored.text).toBe(201);
      const handle: string = stored.json.handle;
      expect(handle).toMatch(/^upload:[A-Za-z0-9_-]{32}$/);
      expect(stored.json.type).toBe('image/png');

      const stolenRoute = await route(main, b, single({ image: [handle] }));
      const stolenGraphql = await graphql(main, b, MUTATION, { input: { prompt: 'a fox', model: MODEL, size: SIZE, images: [handle] } });
      const unknown = await route(main, a, single({ image: [`upload:${randomBytes(24).toString('base64url')}`] }));
      // A caller keeps at most 20 uploads: the 21st drops the oldest (`handle`), which is then dead.
      for (let i = 0; i < 20; i++) expect((await upload(a, png)).status).toBe(201);
      const evicted = await route(main, a, single({ image: [handle] }));

      const fresh = (await upload(a, png)).json.handle as string;
      const viaRoute = await route(main, a, single({ image: [fresh], prompt: 'a fox, from the reference' }));
      const viaGraphql = await graphql(main, a, MUTATION, { input: { prompt: 'a fox, from the reference', model: MODEL, size: SIZE, images: [fresh] } });
      return { declared, chunked, notImage, wrongType, stolenRoute, stolenGraphql, unknown, evicted, viaRoute, viaGraphql };
    });
    const r = result;
    measured.row.note = `declared 11 MiB → ${r.declared.status}; chunked 64 MiB → ${r.chunked.status} after ${mb(r.chunked.writtenAtAnswer)} MiB sent; text → ${r.notImage.status}; text/plain → ${r.wrongType.status}; B with A's handle → ${r.stolenRoute.status}; unknown → ${r.unknown.status}; evicted → ${r.evicted.status}; valid → ${r.viaRoute.status}`;
    expect(r.declared.status).toBe(413);
    expect(r.declared.writtenAtAnswer).toBe(0);
    expect(r.chunked.status).toBe(413);
    expect(r.chunked.writtenAtAnswer).toBeLessThan(UNREAD_SLACK);
    expect(r.notImage.status).toBe(415);
    expect(r.wrongType.status).toBe(415);
    for (const [name, answer] of [
      ['stolen', r.stolenRoute],
      ['unknown', r.unknown],
      ['evicted', r.evicted],
    ] as const) {
      expect(answer.status, name).toBe(400);
      expect(answer.json.error.fields, name).toEqual([expect.objectContaining({ path: 'image[0]' })]);
    }
    expect(gqlCode(r.stolenGraphql)).toBe('BAD_USER_INPUT');
    // GraphQL sends one reference as a single image (not a list), so its field is `images`.
    expect(r.stolenGraphql.json.errors[0].extensions.fields[0]).toMatchObject({
      field: expect.stringMatching(/^images(\[0\])?$/),
      message: expect.stringMatching(/upload handle/),
    });
    expect(r.viaRoute.status, r.viaRoute.text).toBe(200);
    expect(r.viaGraphql.json?.data?.generateImages?.images?.[0]?.url, r.viaGraphql.text).toBeTruthy();
    // Only the two valid generations were paid for, and the emulator received the uploaded image's bytes.
    expect(measured.paidCalls).toBe(2);
    for (const entry of emu.log.generations()) {
      const image = (entry.body as { image?: unknown }).image;
      const first = Array.isArray(image) ? image[0] : image;
      expect(String(first)).toMatch(/^data:image\/png;base64,/);
    }
    expectStayedUp(measured);
  });
});

// ── All answers of the file ───────────────────────────────────────────────────────────────────────────────────

describe('nosniff, file-wide', () => {
  it('every /api/* and /graphql answer this file received carried X-Content-Type-Options: nosniff', () => {
    expect(answersSeen.length).toBeGreaterThan(100);
    const missing = [...new Set(answersSeen.filter((a) => a.nosniff !== 'nosniff').map((a) => a.what))];
    expect(missing).toEqual([]);
  });
});
