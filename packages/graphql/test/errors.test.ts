import { CLIENT_ERROR_KINDS, type SeedreamClientErrorKind } from '@seedream-kit/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_KEY, MUTATION, SIZE, startStack } from './helpers.js';
import type { Stack } from './helpers.js';

const input = { prompt: 'a paper boat', size: SIZE };
/** The `extensions.code` of a kind: the codes are the table's (core's CLIENT_ERROR_KINDS), not restated here. */
const code = (kind: SeedreamClientErrorKind) => CLIENT_ERROR_KINDS[kind].code;

describe('error codes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      client: { timeout: 1500 },
      yoga: {
        policy: {
          authorize: (request) => {
            const who = request.headers.get('x-user');
            if (!who) return 'unauthenticated';
            if (who === 'thrower') throw new Error(`database password ${FAKE_KEY}`);
            return who !== 'banned' && who;
          },
          rateLimit: ({ caller }) => (caller.id === 'greedy' ? { allowed: false, retryAfter: 42 } : true),
        },
      },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFaults(undefined);
    stack.emulator.log.clear();
  });

  const call = (variables: Record<string, unknown> = { input }, user = 'alice') => stack.gql(MUTATION, variables, { 'x-user': user });

  function expectNoSecrets(text: string) {
    expect(text).not.toContain(FAKE_KEY);
    expect(text).not.toMatch(/Bearer|Request ID|InternalServiceError|AccountOverdue|X-Tos-Signature/);
  }

  it('BAD_USER_INPUT names the field, from core’s validation, before any request', async () => {
    const { body, text } = await call({ input: { prompt: 'x', size: '3x3' } });
    expect(body.data).toBeNull();
    expect(body.errors[0].extensions).toMatchObject({
      code: code('validation'),
      field: 'size',
      fields: [{ field: 'size', param: 'size', message: expect.any(String) }],
    });
    const many = await call({ input: { prompt: ' ', images: ['https://example.com/a.png', 'not-a-url'], seed: -5, guidanceScale: 50 } });
    const fields = many.body.errors[0].extensions.fields.map((f: any) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['prompt', 'images[1]', 'seed', 'guidanceScale']));
    expect(many.body.errors[0].extensions.fields.find((f: any) => f.field === 'images[1]').param).toBe('image[1]');
    expect(stack.emulator.log.entries).toHaveLength(0);
    expectNoSecrets(text);
  });

  it('BAD_USER_INPUT for an upstream 400 (param mapped) and an unknown model (refused locally), without the upstream message', async () => {
    stack.emulator.setFaults('status=400');
    const refused = await call();
    expect(refused.body.errors[0].extensions.code).toBe(code('validation'));
    expectNoSecrets(refused.text);
    stack.emulator.setFaults(undefined);
    // A model outside the Seedream table is refused here by the default allow-list: never sent.
    const unknown = await call({ input: { ...input, model: 'doubao-seedream-9-9-999999' } });
    expect(unknown.body.errors[0].extensions).toMatchObject({ code: code('validation'), field: 'model' });
    expect(stack.emulator.log.generations()).toHaveLength(1);
  });

  it('UNAUTHENTICATED and FORBIDDEN from authorize, which fails closed on a throw', async () => {
    const anonymous = await stack.gql(MUTATION, { input });
    expect(anonymous.body.errors[0].extensions.code).toBe(code('authentication'));
    const banned = await call(undefined, 'banned');
    expect(banned.body.errors[0].extensions.code).toBe(code('permission'));
    const thrower = await call(undefined, 'thrower');
    expect(thrower.body.errors[0].extensions.code).toBe(code('permission'));
    expectNoSecrets(thrower.text);
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it('RATE_LIMITED with retryAfter, from the hook (no request) and from upstream 429', async () => {
    const hook = await call(undefined, 'greedy');
    expect(hook.body.errors[0].extensions).toEqual({ code: code('rate_limit'), retryAfter: 42 });
    expect(stack.emulator.log.entries).toHaveLength(0);
    stack.emulator.setFaults('status=429,retry-after=7');
    const upstream = await call();
    expect(upstream.body.errors[0].extensions).toMatchObject({ code: code('rate_limit'), retryAfter: 7, requestId: expect.any(String) });
    expectNoSecrets(upstream.text);
  });

  it('CONTENT_FILTERED for a moderation refusal', async () => {
    stack.emulator.setFaults('status=400,code=InputTextSensitiveContentDetected');
    const { body, text } = await call();
    expect(body.errors[0].extensions.code).toBe(code('content_policy'));
    expect(text).not.toContain('SensitiveContent');
  });

  it.each([
    ['status=500', 'a 500'],
    ['status=401', 'a 401 (the server’s own key)'],
    ['status=403', 'a 403 (the server’s account)'],
    ['reset', 'a reset connection'],
    ['malformed-json', 'a body that is not JSON'],
  ])('UPSTREAM_ERROR for %s (%s), with no key or upstream body', async (fault) => {
    stack.emulator.setFaults(fault);
    const { body, text } = await call();
    expect(body.errors[0].extensions.code).toBe(code('upstream'));
    expect(body.errors[0].message).toBe(CLIENT_ERROR_KINDS.upstream.message);
    expectNoSecrets(text);
  });

  it('TIMEOUT when the upstream is slower than the client’s deadline', async () => {
    stack.emulator.setFaults('slow-headers=4000');
    const { body } = await call();
    expect(body.errors[0].extensions.code).toBe(code('timeout'));
    await stack.emulator.log.waitFor((entry) => entry.endedAt !== undefined, 5000);
  });
});
