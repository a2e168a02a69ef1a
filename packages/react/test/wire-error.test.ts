/**
 * The route's error shape maps through core's CLIENT_ERROR_KINDS: statuses and default messages come from the
 * table, and the HTTP transport reads every kind (and every status of an answer that is not the route's) back.
 */
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  CLIENT_ERROR_KINDS,
  clientErrorKindForStatus,
  ContentPolicyError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SeedreamValidationError,
  type SeedreamClientErrorKind,
} from '@seedream-kit/core';
import { describe, expect, it } from 'vitest';
import { errorResponse, toWireError, wireError } from '../src/server/wire-error.js';
import { createHttpTransport } from '@seedream-kit/core/http';

const kinds = Object.keys(CLIENT_ERROR_KINDS) as SeedreamClientErrorKind[];
const api = { message: '400 InvalidParameter: size is not supported', requestId: 'req-123456' };

/** The route's policy (core class → kind); statuses and messages are the table's, not restated here. */
const cases: Array<[string, unknown, SeedreamClientErrorKind, 'own' | 'default']> = [
  ['SeedreamValidationError', new SeedreamValidationError([{ path: 'size', message: 'unsupported', severity: 'error' } as never]), 'validation', 'own'],
  ['BadRequestError', new BadRequestError({ ...api, status: 400, param: 'size' }), 'bad_request', 'own'],
  ['ContentPolicyError', new ContentPolicyError({ ...api, status: 400, code: 'InputTextSensitiveContentDetected' }), 'content_policy', 'own'],
  ['AuthenticationError', new AuthenticationError({ ...api, status: 401 }), 'authentication', 'default'],
  ['PermissionDeniedError', new PermissionDeniedError({ ...api, status: 403 }), 'permission', 'default'],
  ['NotFoundError', new NotFoundError({ ...api, status: 404 }), 'not_found', 'default'],
  ['RateLimitError', new RateLimitError({ ...api, status: 429, retryAfter: 9 }), 'rate_limit', 'default'],
  ['InternalServerError', new InternalServerError({ ...api, status: 500 }), 'upstream', 'default'],
  ['APIError', new APIError({ ...api, status: 200 }), 'upstream', 'default'],
  ['APIConnectionError', new APIConnectionError('reset', { phase: 'transfer' }), 'upstream', 'default'],
  ['APITimeoutError', new APITimeoutError('slow', { phase: 'deadline', timeout: 1 }), 'timeout', 'default'],
  ['APIUserAbortError', new APIUserAbortError('gone'), 'aborted', 'default'],
];

describe('toWireError and errorResponse (the route)', () => {
  it.each(cases)('%s → %s, with the table’s status', async (_name, error, kind, message) => {
    const wire = toWireError(error);
    expect(wire.kind).toBe(kind);
    expect(wire.status).toBe(CLIENT_ERROR_KINDS[kind].status);
    if (message === 'default') expect(wire.message).toBe(CLIENT_ERROR_KINDS[kind].message);
    else expect(wire.message).toBe((error as Error).message);
    const response = errorResponse(wire);
    expect(response.status).toBe(CLIENT_ERROR_KINDS[kind].status);
    expect((await response.json()).error).toEqual(JSON.parse(JSON.stringify(wire)));
  });

  it('an error that is not the image service’s is upstream with 500, in the same words', () => {
    expect(toWireError(new Error('db password hunter2'))).toEqual({ kind: 'upstream', status: 500, message: CLIENT_ERROR_KINDS.upstream.message });
  });

  it.each(kinds)('wireError(%s) defaults its status and message to the table’s; a given status or message wins', (kind) => {
    expect(wireError(kind)).toEqual({ kind, status: CLIENT_ERROR_KINDS[kind].status, message: CLIENT_ERROR_KINDS[kind].message });
    expect(wireError(kind, 418, 'mine', { requestId: 'r' })).toEqual({ kind, status: 418, message: 'mine', requestId: 'r' });
    expect(errorResponse({ kind, message: 'm' }).status).toBe(CLIENT_ERROR_KINDS[kind].status);
  });
});

describe('createHttpTransport reads the route’s answers through the table', () => {
  const signal = () => new AbortController().signal;
  const transportAnswering = (response: () => Response) => createHttpTransport({ url: 'http://route.test/', fetch: async () => response() });

  it.each(kinds)('the route’s %s comes back as that kind, status and message', async (kind) => {
    const transport = transportAnswering(() => errorResponse(wireError(kind)));
    await expect(transport.generate({ prompt: 'x' }, { signal: signal() })).rejects.toMatchObject({
      name: 'SeedreamClientError',
      kind,
      status: CLIENT_ERROR_KINDS[kind].status,
      message: CLIENT_ERROR_KINDS[kind].message,
    });
  });

  it.each([400, 401, 403, 404, 405, 408, 413, 429, 499, 500, 502, 503, 504])(
    'a page that is not the route’s, status %i → the kind of that status, its default message',
    async (status) => {
      const transport = transportAnswering(() => new Response('<html>proxy</html>', { status, headers: { 'content-type': 'text/html' } }));
      const kind = clientErrorKindForStatus(status);
      await expect(transport.generate({ prompt: 'x' }, { signal: signal() })).rejects.toMatchObject({
        kind,
        status,
        message: CLIENT_ERROR_KINDS[kind].message,
      });
    },
  );
});
