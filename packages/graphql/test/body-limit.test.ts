import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack } from './helpers.js';
import type { Stack } from './helpers.js';

const LIMIT = 300;
const MODELS = JSON.stringify({ query: '{ seedreamModels { id } }' });
const padded = (bytes: number) => JSON.stringify({ query: `mutation { generateImages(input: { prompt: "${'a'.repeat(bytes)}" }) { model } }` });

/** POSTs over the real port; `chunked` sends no Content-Length, so only counting the stream can catch size. */
function post(url: string, body: string, chunked: boolean): Promise<{ status: number; text: string }> {
  const { port, pathname } = new URL(url);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (!chunked) headers['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: pathname, method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    if (chunked) {
      // Several writes, so the body really streams in chunks.
      for (let i = 0; i < body.length; i += 64) request.write(body.slice(i, i + 64));
      request.end();
    } else request.end(body);
  });
}

describe('request body limit (yoga maxRequestBodySize)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ yoga: { yoga: { maxRequestBodySize: LIMIT } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.log.clear());

  it.each([
    ['with Content-Length', false],
    ['chunked, no Content-Length', true],
  ])('serves a body under the limit (%s)', async (_name, chunked) => {
    const { status, text } = await post(stack.url, MODELS, chunked);
    expect(status).toBe(200);
    expect(JSON.parse(text).data.seedreamModels.length).toBeGreaterThan(0);
  });

  it.each([
    ['with Content-Length', false],
    ['chunked, no Content-Length', true],
  ])('refuses a body over the limit with 413 before any upstream request (%s)', async (_name, chunked) => {
    const body = padded(LIMIT);
    expect(Buffer.byteLength(body)).toBeGreaterThan(LIMIT);
    const { status, text } = await post(stack.url, body, chunked);
    expect(status).toBe(413);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it('refuses a malformed Content-Length (comma-joined values) with 400', async () => {
    const response = await stack.yoga.fetch('http://yoga.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': `${MODELS.length}, ${MODELS.length}` },
      body: MODELS,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('keeps yoga’s 25 MB default, and `maxRequestBodySize: false` turns the cap off', async () => {
    const big = padded(LIMIT * 4);
    const open = await startStack({ yoga: { yoga: { maxRequestBodySize: false } } });
    const byDefault = await startStack();
    try {
      for (const chunked of [false, true]) {
        for (const target of [open, byDefault]) {
          const { status, text } = await post(target.url, big, chunked);
          expect(status).toBe(200);
          expect(JSON.parse(text).data.generateImages.model).toBeTruthy();
        }
      }
      // The default cap is still there: a declared 26 MB body is refused before it is read.
      const response = await byDefault.yoga.fetch('http://yoga.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(26_000_000) },
        body: MODELS,
      });
      expect(response.status).toBe(413);
    } finally {
      await open.close();
      await byDefault.close();
    }
  });
});
