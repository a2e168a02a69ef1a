/** What core puts on the wire and hands back: headers, unserialisable params, data URI bytes, echoed keys. */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedream, isSeedreamValidationError, validateParams, type SeedreamValidationError } from '../src/index.js';
import { withoutSecretInHeaders } from '../src/internal/request-safety.js';
import { caught, FAKE_KEY, imageBytes, rawServer, type RawServer } from './helpers.js';

const MODEL = 'doubao-seedream-4-0-250828';
const paths = (error: unknown) => (error as SeedreamValidationError).issues.filter((i) => i.severity === 'error').map((i) => i.path);

let server: RawServer;
beforeAll(async () => {
  // Answers like a broken proxy: echoes the bearer token in x-request-id, then a body that is not JSON.
  server = await rawServer((request, response) => {
    const token = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req-${token}` });
    response.end('{"data":[');
  });
});
afterAll(() => server.close());

const client = () => createSeedream({ baseURL: `${server.url}/v1`, apiKey: FAKE_KEY, timeout: 5000 });

describe('headers', () => {
  it.each<Record<string, string>>([{ 'x-custom': 'a\r\nx-injected: 1' }, { 'x custom': '1' }, { 'x-custom': 'a\u0000b' }])(
    '%j is refused by name, nothing sent',
    async (headers) => {
      const before = server.requests;
      const perCall = await caught(client().generate({ model: MODEL, prompt: 'x' }, { headers }));
      const perClient = await caught(createSeedream({ baseURL: `${server.url}/v1`, apiKey: FAKE_KEY, headers }).generate({ model: MODEL, prompt: 'x' }));
      for (const error of [perCall, perClient]) {
        expect(isSeedreamValidationError(error)).toBe(true);
        expect(paths(error)[0]).toMatch(/^headers\./);
        expect((error as Error).message).not.toMatch(/billed/);
      }
      expect(server.requests).toBe(before);
    },
  );
});

describe('params JSON cannot carry', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each([
    ['a cycle', cyclic],
    ['a BigInt', 10n],
  ])('%s names the field, nothing sent', async (_label, extra) => {
    const before = server.requests;
    const error = await caught(client().generate({ model: MODEL, prompt: 'x', extra } as never));
    expect(isSeedreamValidationError(error)).toBe(true);
    expect(paths(error)).toEqual(['extra']);
    expect(server.requests).toBe(before);
  });
});

describe('data URI bytes', () => {
  it('bytes that are no image, or a cut-short header, are refused whatever the declared type', async () => {
    const html = Buffer.from('<!doctype html><p>not an image</p>').toString('base64');
    const png = Buffer.from(await imageBytes('png'));
    expect(paths({ issues: validateParams({ model: MODEL, prompt: 'x', image: `data:image/png;base64,${html}` }) })).toEqual(['image']);
    expect(paths({ issues: validateParams({ model: MODEL, prompt: 'x', image: `data:image/png;base64,${png.subarray(0, 12).toString('base64')}` }) })).toEqual([
      'image',
    ]);
    expect(validateParams({ model: MODEL, prompt: 'x', image: `data:image/png;base64,${png.toString('base64')}` })).toEqual([]);
  });
});

describe('a key echoed in response headers', () => {
  it('reaches no request id, header, message or inspected view of the error', async () => {
    const error = await caught<Error & { requestId?: string; headers?: Headers }>(client().generate({ model: MODEL, prompt: 'x' }));
    expect(error.requestId).toBe('req-***');
    expect(error.headers?.get('x-request-id')).toBe('req-***');
    expect(`${error.message} ${error.stack} ${inspect(error, { depth: 5 })}`).not.toContain(FAKE_KEY);
  });
});

describe('withoutSecretInHeaders', () => {
  const secret = FAKE_KEY;
  const response = (headers: [string, string][], status = 200) => new Response('{}', { status, headers });

  it('hands back the same response when no header holds the key', () => {
    const clean = response([
      ['x-request-id', 'req-1'],
      ['x-short', 'a'],
    ]);
    expect(withoutSecretInHeaders(clean, secret)).toBe(clean);
  });

  it('finds the key in any header, however the headers sort, and scrubs only that', () => {
    for (const name of ['a-first', 'x-middle', 'zz-last', 'set-cookie']) {
      const leaky = response([
        ['a-clean', 'one'],
        [name, `v=${secret}; x`],
        ['zz-clean', 'two'],
      ]);
      const safe = withoutSecretInHeaders(leaky, secret);
      expect(safe).not.toBe(leaky);
      expect([...safe.headers].map(([, value]) => value).join(' ')).not.toContain(secret);
      expect(safe.headers.get(name)).toBe('v=***; x');
      expect(safe.headers.get('a-clean')).toBe('one');
      expect(safe.status).toBe(200);
    }
  });

  it('leaves a response alone for a missing or very short key', () => {
    const leaky = response([['x-echo', 'abc']]);
    expect(withoutSecretInHeaders(leaky, undefined)).toBe(leaky);
    expect(withoutSecretInHeaders(leaky, 'abc')).toBe(leaky);
  });
});
