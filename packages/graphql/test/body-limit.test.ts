import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack } from './helpers.js';
import type { Stack } from './helpers.js';

const LIMIT = 300;
const MODELS = JSON.stringify({ query: '{ seedreamModels { id } }' });
const padded = (bytes: number) => JSON.stringify({ query: `mutation { generateImages(input: { prompt: "${'a'.repeat(bytes)}" }) { model } }` });

/** POSTs over the real port; `chunked` sends no Content-Length, so only counting the stream can catch size. */
function post(url: string, body: string, chunked: boolean, extra: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const { port, pathname } = new URL(url);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...extra };
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

describe('request body caps from the policy (authorized vs public)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Only a caller with the header is known; everyone else gets the public cap, before anything is parsed.
    stack = await startStack({
      yoga: { policy: { authorize: (request) => request.headers.get('x-user') ?? false, limits: { maxBodyBytes: LIMIT * 4, maxPublicBodyBytes: LIMIT } } },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.log.clear());

  it.each([
    ['with Content-Length', false],
    ['chunked, no Content-Length', true],
  ])('serves a body under the public cap to anyone (%s)', async (_name, chunked) => {
    const { status, text } = await post(stack.url, MODELS, chunked);
    expect(status).toBe(200);
    expect(JSON.parse(text).data.seedreamModels.length).toBeGreaterThan(0);
  });

  it.each([
    ['with Content-Length', false],
    ['chunked, no Content-Length', true],
  ])('refuses an anonymous body over the public cap with 413, unparsed and before any upstream request (%s)', async (_name, chunked) => {
    const body = padded(LIMIT);
    expect(Buffer.byteLength(body)).toBeGreaterThan(LIMIT);
    const { status, text } = await post(stack.url, body, chunked);
    expect(status).toBe(413);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it.each([
    ['with Content-Length', false],
    ['chunked, no Content-Length', true],
  ])('gives a known caller the larger cap, and refuses above it (%s)', async (_name, chunked) => {
    const under = await post(stack.url, padded(LIMIT * 2), chunked, { 'x-user': 'alice' });
    expect(under.status).toBe(200);
    expect(JSON.parse(under.text).data.generateImages.model).toBeTruthy();
    const over = await post(stack.url, padded(LIMIT * 4), chunked, { 'x-user': 'alice' });
    expect(over.status).toBe(413);
    expect(stack.emulator.log.generations()).toHaveLength(1);
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

  it('keeps the policy defaults when none are set: 16 KiB public, 1 MiB for a known caller', async () => {
    const byDefault = await startStack({ yoga: { policy: { authorize: (request) => request.headers.get('x-user') ?? false, limits: {} } } });
    try {
      const declared = (bytes: number, user?: string) =>
        byDefault.yoga.fetch('http://yoga.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(bytes), ...(user ? { 'x-user': user } : {}) },
          body: MODELS,
        });
      expect((await declared(16 * 1024 + 1)).status).toBe(413);
      expect((await declared(1024 * 1024 + 1, 'alice')).status).toBe(413);
    } finally {
      await byDefault.close();
    }
  });
});
