/**
 * HTTP-route hostile input, against createSeedreamRoute + toNodeHandler on a loopback node:http server: oversized
 * bodies (413 before the body is read in full), malformed JSON, wrong content types, CR/LF in fields, unknown
 * fields, absurd sizes. Each is refused with a clear status and `kind` (and the field), and the emulator's log
 * proves no request went upstream; a valid request still works afterwards.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { DEFAULT_POLICY_LIMITS } from '@seedream-kit/core/server';
import { startRouteServer, type Served } from '../fixtures/channels.mjs';
import { MODEL, entriesOf } from '../fixtures/fault-matrix.mjs';

const SMALL_CAP = 1024 * 1024;

let emu: Emulator;
let route: Served;
let smallCap: Served;
let allowList: Served;
let calls = 0;
let rssBefore = 0;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  // The policy's default limits (4 images, 10 references, 2 000 characters), with room for the large bodies below.
  route = await startRouteServer(emu, { policy: { limits: { ...DEFAULT_POLICY_LIMITS, maxBodyBytes: 16 * 1024 * 1024 } } });
  smallCap = await startRouteServer(emu, { policy: { limits: { maxBodyBytes: SMALL_CAP } } });
  allowList = await startRouteServer(emu, { policy: { models: [MODEL] } });
  rssBefore = process.memoryUsage().rss;
});
afterAll(async () => {
  await route.close();
  await smallCap.close();
  await allowList.close();
  await emu.close();
});

const VALID = { model: MODEL, prompt: 'a lighthouse at dusk', size: '1K', watermark: false };

interface WireAnswer {
  status: number;
  tag: string;
  headers: Headers;
  error?: { kind: string; message: string; status?: number; fields?: Array<{ path: string; message: string }> };
  body: unknown;
}

async function send(body: string, { contentType = 'application/json', method = 'POST', server = route } = {}): Promise<WireAnswer> {
  const tag = `route-hostile-${++calls}`;
  const response = await fetch(server.url, {
    method,
    headers: { 'content-type': contentType, 'x-reliability-call': tag },
    ...(method === 'GET' ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, tag, headers: response.headers, error: (parsed as { error?: WireAnswer['error'] })?.error, body: parsed };
}

const upstream = (answer: WireAnswer) => entriesOf(emu, answer.tag);

describe('oversized bodies', () => {
  it('a declared Content-Length above the cap is answered 413 before a byte of the body is sent', async () => {
    const tag = `route-hostile-${++calls}`;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(smallCap.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024), 'x-reliability-call': tag },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
          request.destroy(); // we never meant to send the 64 MB
        });
      });
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
      request.flushHeaders(); // headers only: the answer must come without the body
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error).toMatchObject({ kind: 'limit_exceeded', status: 413 });
    expect(entriesOf(emu, tag)).toHaveLength(0);
  });

  it('a chunked body (no Content-Length) past the cap is answered 413 while the client is still sending', async () => {
    const tag = `route-hostile-${++calls}`;
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    const answer = await new Promise<{ status: number; writtenAtAnswer: number }>((resolve, reject) => {
      const request = http.request(smallCap.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-reliability-call': tag } });
      let answered = false;
      request.on('response', (response) => {
        answered = true;
        response.resume();
        resolve({ status: response.statusCode ?? 0, writtenAtAnswer: written });
        request.destroy();
      });
      request.on('error', (error) => (answered ? undefined : reject(error)));
      const pump = () => {
        while (!answered && written < total) {
          written += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
        if (!answered) request.end();
      };
      request.write('{"prompt": "');
      pump();
    });
    expect(answer.status).toBe(413);
    // The route stopped reading near the cap: the answer came long before the 64 MB were sent.
    expect(answer.writtenAtAnswer).toBeLessThan(total / 2);
    expect(entriesOf(emu, tag)).toHaveLength(0);
  });

  it('the default cap (16 MiB) refuses a 17 MiB body with 413, nothing sent upstream', async () => {
    const answer = await send(JSON.stringify({ ...VALID, image: `data:image/png;base64,${'A'.repeat(17 * 1024 * 1024)}` }));
    expect(answer.status).toBe(413);
    expect(answer.error).toMatchObject({ kind: 'limit_exceeded', status: 413 });
    expect(upstream(answer)).toHaveLength(0);
  });
});

describe('malformed bodies and wrong methods', () => {
  it.each<[string, string]>([
    ['not JSON', '{"prompt": '],
    ['empty', ''],
    ['a JSON array', '[{"prompt": "x"}]'],
    ['a JSON string', '"a prompt"'],
    ['null', 'null'],
    ['a number', '42'],
    ['JSON with a BOM and trailing garbage', '\uFEFF{"prompt": "x"} trailing'],
    ['deeply nested JSON (10 000 levels)', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
  ])('%s: 400 bad_request, nothing sent upstream', async (_name, body) => {
    const answer = await send(body);
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(upstream(answer)).toHaveLength(0);
  });

  it('GET: 405 with Allow: POST, nothing sent upstream', async () => {
    const answer = await send('', { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(upstream(answer)).toHaveLength(0);
  });

  // A text/plain (or form) POST is a "simple" cross-origin request: a browser sends it from any site, with the
  // victim's cookies, and without a CORS preflight. Found by this suite: the route now answers 415 (CSRF).
  it.each<[string]>([['text/plain'], ['application/x-www-form-urlencoded'], ['multipart/form-data; boundary=x']])(
    'a valid JSON body sent as %s is refused with 415, nothing sent upstream',
    async (contentType) => {
      const answer = await send(JSON.stringify(VALID), { contentType });
      expect(upstream(answer)).toHaveLength(0);
      expect(answer.status).toBe(415);
    },
  );

  it('a wrong content type with a body that is not JSON: 415, nothing sent upstream', async () => {
    const answer = await send('prompt=a+lighthouse', { contentType: 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(415);
    expect(upstream(answer)).toHaveLength(0);
  });
});

describe('CR/LF and unknown fields', () => {
  it('CR/LF in the prompt travels as JSON text: no header is injected upstream', async () => {
    const answer = await send(JSON.stringify({ ...VALID, prompt: 'a lighthouse\r\nx-injected: 1\r\n\r\nGET / HTTP/1.1' }));
    expect(answer.status).toBe(200);
    const entries = upstream(answer);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.headers['x-injected']).toBeUndefined();
    expect((entries[0]!.body as { prompt: string }).prompt).toContain('\r\nx-injected: 1');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['CR/LF in the size', { size: '1K\r\nx-injected: 1' }, 'size'],
    ['CR/LF in response_format', { response_format: 'url\r\nx-injected: 1' }, 'response_format'],
  ])('%s: 400 naming the field, nothing sent upstream', async (_name, extra, field) => {
    const answer = await send(JSON.stringify({ ...VALID, ...extra }));
    expect(answer.status).toBe(400);
    expect(answer.error?.fields?.map((entry) => entry.path)).toContain(field);
    expect(upstream(answer)).toHaveLength(0);
  });

  it.each([['gpt-image-1'], ['dall-e-3'], [`${MODEL}\r\nx-injected: 1`]])(
    'with the default allow-list (the Seedream table) the model %j is refused: 400 naming "model", nothing sent',
    async (model) => {
      const answer = await send(JSON.stringify({ ...VALID, model }));
      expect(answer.status).toBe(400);
      expect(answer.error?.fields?.map((entry) => entry.path)).toEqual(['model']);
      expect(upstream(answer)).toHaveLength(0);
    },
  );

  it.each<[string, string]>([
    ['with CR/LF', `${MODEL}\r\nx-injected: 1`],
    ['of 10 000 characters', 'x'.repeat(10_000)],
    ['another real model', 'doubao-seedream-4-5-251128'],
  ])('with an allow-list, a model %s is refused: 400 naming "model", nothing sent upstream', async (_name, model) => {
    const answer = await send(JSON.stringify({ ...VALID, model }), { server: allowList });
    expect(answer.status).toBe(400);
    expect(answer.error?.fields?.map((entry) => entry.path)).toEqual(['model']);
    expect(upstream(answer)).toHaveLength(0);
  });

  it('unknown fields are dropped before the provider sees the request', async () => {
    const extra = {
      api_key: 'sk-attacker',
      callback_url: 'http://169.254.169.254/',
      extra_body: { n: 100 },
      n: 100,
      headers: { authorization: 'x' },
      constructor: { prototype: { polluted: true } },
    };
    const body = `${JSON.stringify({ ...VALID, ...extra }).slice(0, -1)}, "__proto__": { "polluted": true } }`;
    const answer = await send(body);
    expect(answer.status).toBe(200);
    const entries = upstream(answer);
    expect(entries).toHaveLength(1);
    const sent = entries[0]!.body as Record<string, unknown>;
    // The route sets `stream: false` itself; nothing else is added, nothing unknown passes.
    expect(Object.keys(sent).sort()).toEqual([...Object.keys(VALID), 'stream'].sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('unknown keys inside known objects are dropped too (sequential_image_generation_options.n, tools[0].url)', async () => {
    const answer = await send(
      JSON.stringify({
        ...VALID,
        model: 'doubao-seedream-5-0-260128',
        size: '2K',
        sequential_image_generation: 'auto',
        sequential_image_generation_options: { max_images: 2, n: 100, __proto__: { n: 1 } },
        tools: [{ type: 'web_search', url: 'http://169.254.169.254/' }],
        optimize_prompt_options: { mode: 'standard', budget: 'unlimited' },
      }),
    );
    const entries = upstream(answer);
    expect([answer.status, entries.length]).toEqual([200, 1]);
    const sent = entries[0]!.body as Record<string, any>;
    expect(sent.sequential_image_generation_options).toEqual({ max_images: 2 });
    expect(sent.tools).toEqual([{ type: 'web_search' }]);
    expect(sent.optimize_prompt_options).toEqual({ mode: 'standard' });
  });
});

describe('absurd sizes: 400 with the field, nothing sent upstream', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['size 100000x100000', { size: '100000x100000' }, 'size'],
    ['size 0x0', { size: '0x0' }, 'size'],
    ['size -1024x1024', { size: '-1024x1024' }, 'size'],
    [
      'max_images 1e9',
      { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 1e9 } },
      'sequential_image_generation_options.max_images',
    ],
    [
      'max_images -1',
      { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: -1 } },
      'sequential_image_generation_options.max_images',
    ],
    ['a prompt of 1 000 000 characters', { prompt: 'x'.repeat(1_000_000) }, 'prompt'],
    ['11 reference images', { image: Array.from({ length: 11 }, () => 'https://img.test/a.png') }, 'image'],
    ['seed 2^40', { seed: 2 ** 40 }, 'seed'],
    ['guidance_scale 1e300', { guidance_scale: 1e300 }, 'guidance_scale'],
    ['an empty prompt', { prompt: '' }, 'prompt'],
    ['a prompt that is an object', { prompt: { toString: 'x' } }, 'prompt'],
  ])('%s', async (_name, extra, field) => {
    const answer = await send(JSON.stringify({ ...VALID, ...extra }));
    expect(answer.status).toBe(400);
    expect(['validation', 'bad_request']).toContain(answer.error?.kind);
    expect(answer.error?.fields?.map((entry) => entry.path)).toContain(field);
    expect(upstream(answer)).toHaveLength(0);
  });
});

describe('the image cap (maxImages 4) cannot be bypassed', () => {
  it.each<[string, Record<string, unknown>]>([
    ['max_images as a string', { sequential_image_generation_options: { max_images: '15' } }],
    ['max_images 4.5', { sequential_image_generation_options: { max_images: 4.5 } }],
    ['max_images null', { sequential_image_generation_options: { max_images: null } }],
    ['options null', { sequential_image_generation_options: null }],
    ['options an array', { sequential_image_generation_options: [] }],
    ['options a string', { sequential_image_generation_options: 'x' }],
    ['no options at all', {}],
  ])('%s: refused before the network, or sent with max_images ≤ 4', async (_name, extra) => {
    const answer = await send(JSON.stringify({ ...VALID, prompt: 'a series of 12 images', sequential_image_generation: 'auto', ...extra }));
    const entries = upstream(answer);
    if (answer.status === 400) expect(entries).toHaveLength(0);
    else {
      expect(answer.status).toBe(200);
      expect(entries).toHaveLength(1);
      expect(
        (entries[0]!.body as { sequential_image_generation_options: { max_images: number } }).sequential_image_generation_options.max_images,
      ).toBeLessThanOrEqual(4);
      expect(entries[0]!.imagesGenerated).toBeLessThanOrEqual(4);
    }
  });

  it.each([['AUTO'], [' auto'], ['auto\r\n']])('sequential_image_generation %j: 400 naming the field, nothing sent upstream', async (value) => {
    const answer = await send(JSON.stringify({ ...VALID, prompt: 'a series of 12 images', sequential_image_generation: value }));
    expect(answer.status).toBe(400);
    expect(answer.error?.fields?.map((entry) => entry.path)).toContain('sequential_image_generation');
    expect(upstream(answer)).toHaveLength(0);
  });
});

describe('afterwards', () => {
  it('the route still serves a valid request, sent upstream exactly once', async () => {
    const answer = await send(JSON.stringify(VALID));
    expect(answer.status).toBe(200);
    expect((answer.body as { images: unknown[] }).images).toHaveLength(1);
    expect(upstream(answer)).toHaveLength(1);
  });

  it('memory stayed bounded after the 17 MiB and 64 MB bodies (generous: under 400 MB more than before)', () => {
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
  });
});
