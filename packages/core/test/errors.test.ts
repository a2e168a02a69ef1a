import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyError,
  createSeedream,
  InternalServerError,
  isAPIError,
  isAuthenticationError,
  isBadRequestError,
  isContentPolicyError,
  isInternalServerError,
  isNotFoundError,
  isPermissionDeniedError,
  isRateLimitError,
  isSeedreamError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SeedreamError,
  type APIError as APIErrorType,
} from '../src/index.js';
import { caught, clientFor, FAKE_KEY, fault, rawServer, readBody, withEmulator } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator({ apiKeys: [FAKE_KEY] });
});
afterAll(() => emu.close());
beforeEach(() => emu.log.clear());

/** Everything an error could show in a log. */
const everything = (error: unknown) =>
  [
    String(error),
    (error as Error).stack,
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify((error as APIErrorType).body ?? null),
  ].join('\n');

describe('API errors from real responses', () => {
  it('401 → AuthenticationError with code, type and request id', async () => {
    const error = await caught<AuthenticationError>(createSeedream({ baseURL: emu.baseURL, apiKey: 'sk-wrong-key-000000' }).generate({ prompt: 'x' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(isAuthenticationError(error) && isAPIError(error) && isSeedreamError(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, code: 'AuthenticationError', type: 'Unauthorized', kind: 'authentication', name: 'AuthenticationError' });
    expect(error.requestId).toBe(emu.log.generations()[0]!.requestId);
    expect(error.headers.get('x-request-id')).toBe(error.requestId);
    expect(error.message).toMatch(/^401 AuthenticationError: /);
  });

  it.each([
    [400, BadRequestError, isBadRequestError, 'InvalidParameter'],
    [403, PermissionDeniedError, isPermissionDeniedError, 'AccountOverdueError'],
    [404, NotFoundError, isNotFoundError, 'InvalidEndpointOrModel.NotFound'],
    [500, InternalServerError, isInternalServerError, 'InternalServiceError'],
    [502, InternalServerError, isInternalServerError, 'BadGateway'],
    [503, InternalServerError, isInternalServerError, 'ServiceUnavailable'],
  ] as const)('%i → %o', async (status, Class, is, code) => {
    const error = await caught<APIErrorType>(clientFor(emu).generate({ prompt: 'x' }, fault(`status=${status}`)));
    expect(error).toBeInstanceOf(Class);
    expect(is(error)).toBe(true);
    expect(error).toMatchObject({ status, code });
    expect(error.requestId).toMatch(/^02\d+/);
  });

  it('429 → RateLimitError with retryAfter from Retry-After', async () => {
    const error = await caught<RateLimitError>(clientFor(emu).generate({ prompt: 'x' }, fault('status=429,retry-after=7')));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(isRateLimitError(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, code: 'RateLimitExceeded.EndpointIPMExceeded', retryAfter: 7, type: 'TooManyRequests' });
    expect(emu.log.generations()).toHaveLength(1); // no retries by default
  });

  it('a moderation code → ContentPolicyError, whatever the status', async () => {
    const error = await caught<ContentPolicyError>(clientFor(emu).generate({ prompt: 'x' }, fault('status=400,code=InputTextSensitiveContentDetected')));
    expect(error).toBeInstanceOf(ContentPolicyError);
    expect(isContentPolicyError(error)).toBe(true);
    expect(isBadRequestError(error)).toBe(false);
    expect(error).toMatchObject({ status: 400, code: 'InputTextSensitiveContentDetected' });
  });

  it('a provider 400 from its own validation names the param', async () => {
    const error = await caught<BadRequestError>(
      clientFor(emu, { validation: false }).generate({ prompt: 'x', size: '2K', model: 'doubao-seedream-5-0-pro-260628', stream: true }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.param).toBe('stream');
  });

  it("reads CometAPI's own envelope (comet_api_error, request id in the message)", async () => {
    const comet = await withEmulator({ envelope: 'cometapi', apiKeys: [FAKE_KEY] });
    try {
      const error = await caught<APIErrorType>(createSeedream({ baseURL: comet.baseURL, apiKey: 'sk-wrong-key-000000' }).generate({ prompt: 'x' }));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.type).toBe('comet_api_error');
      expect(error.requestId).toBe(comet.log.generations()[0]!.requestId);
    } finally {
      await comet.close();
    }
  });
});

describe('error answers the emulator does not give (raw server)', () => {
  it('a 200 with a top-level error and no data is an error; request id from the message when no header', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'OutputImageSensitiveContentDetected', message: 'blocked. Request ID: 0217abcdef123456' }, data: [] }));
    });
    try {
      const error = await caught<APIErrorType>(createSeedream({ baseURL: server.url, apiKey: FAKE_KEY }).generate({ prompt: 'x' }));
      expect(error).toBeInstanceOf(ContentPolicyError);
      expect(error).toMatchObject({ status: 200, requestId: '0217abcdef123456' });
    } finally {
      await server.close();
    }
  });

  it('a body that is not JSON → APIError with a short message that repeats nothing of the body', async () => {
    const html = `<html><body>${'proxy says no '.repeat(200)}</body></html>`;
    const server = await rawServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end(html);
    });
    try {
      const error = await caught<APIErrorType>(createSeedream({ baseURL: server.url, apiKey: FAKE_KEY }).generate({ prompt: 'x' }));
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/not JSON \(text\/html, \d+ bytes\)/);
      expect(error.message).not.toMatch(/proxy says no/);
      expect(error.message.length).toBeLessThan(200);
      expect(String(error.body).length).toBeLessThanOrEqual(500);
    } finally {
      await server.close();
    }
  });

  it('other statuses (409, 422) are plain APIErrors; a bare {"message"} body is read too', async () => {
    const server = await rawServer((_request, response) => {
      response.writeHead(422, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'unprocessable', code: 1234 }));
    });
    try {
      const error = await caught<APIErrorType>(createSeedream({ baseURL: server.url, apiKey: FAKE_KEY }).generate({ prompt: 'x' }));
      expect(error.constructor).toBe(APIError);
      expect(error).toMatchObject({ status: 422, code: '1234', message: '422 1234: unprocessable' });
    } finally {
      await server.close();
    }
  });
});

describe('the API key never appears in an error', () => {
  it('is scrubbed from messages, bodies and causes even when a proxy echoes it', async () => {
    const server = await rawServer(async (request, response) => {
      await readBody(request);
      const auth = request.headers.authorization ?? '';
      if (request.headers['x-mode'] === 'html') {
        response.writeHead(500, { 'content-type': 'text/html' });
        response.end(`<pre>received ${auth} and key ${FAKE_KEY}</pre>`);
        return;
      }
      if (request.headers['x-mode'] === 'stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(`event: error\ndata: ${JSON.stringify({ error: { code: 'InternalServiceError', message: `bad key ${FAKE_KEY}` } })}\n\n`);
        return;
      }
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: `Invalid ${FAKE_KEY}`, message: `the key ${FAKE_KEY} (${auth}) is invalid`, type: 'Unauthorized' } }));
    });
    try {
      const client = createSeedream({ baseURL: server.url, apiKey: FAKE_KEY });
      const json = await caught(client.generate({ prompt: 'x' }));
      const html = await caught(client.generate({ prompt: 'x' }, { headers: { 'x-mode': 'html' } }));
      const stream = await caught(async () => {
        for await (const _ of await client.generate({ prompt: 'x', stream: true }, { headers: { 'x-mode': 'stream' } }));
      });
      for (const error of [json, html, stream]) {
        expect(isSeedreamError(error)).toBe(true);
        expect(everything(error)).not.toContain(FAKE_KEY);
        expect(everything(error)).not.toContain('0123456789abcdef');
      }
      expect((json as Error).message).toMatch(/the key \*\*\* \(Bearer \*\*\*\) is invalid/);
    } finally {
      await server.close();
    }
  });

  it('refuses a key that cannot be a header value without sending it (and without echoing it)', async () => {
    const badKey = `${FAKE_KEY}\nX-Evil: 1`;
    const error = await caught<Error>(createSeedream({ baseURL: emu.baseURL, apiKey: badKey }).generate({ prompt: 'x' }));
    expect(error).toBeInstanceOf(SeedreamError);
    expect(everything(error)).not.toContain(FAKE_KEY);
    expect(emu.log.entries).toHaveLength(0);
  });
});
