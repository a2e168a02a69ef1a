/**
 * The spending policy on its own: callers, verdicts, limits, budgets and their settling, uploads bound to their
 * owner. Real Fetch Requests; nothing here talks to the network.
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  createSpendingPolicy,
  createUploadHandler,
  DEFAULT_POLICY_LIMITS,
  isSpendingPolicyError,
  MemoryBudgetStore,
  MemoryUploadStore,
  type SpendingPolicyOptions,
} from '../src/server.js';
import { APIError, APITimeoutError } from '../src/index.js';

const MODEL = 'doubao-seedream-4-5-251128';
const request = (headers: Record<string, string> = {}) => new Request('http://app.test/api/seedream', { method: 'POST', headers });
const policyWith = (options: Partial<SpendingPolicyOptions> = {}) => createSpendingPolicy({ authorize: (r) => r.headers.get('x-user') ?? false, ...options });
const admit = (policy: ReturnType<typeof policyWith>, body: Record<string, unknown>, user = 'alice') =>
  policy.admit({
    caller: { id: user },
    request: request({ 'x-user': user }),
    operation: 'generate',
    body: { prompt: 'a boat', size: '2K', ...body },
    defaultModel: MODEL,
  });
const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (isSpendingPolicyError(error)) return { kind: error.kind, status: error.status, paths: error.fields?.map((f) => f.path), retryAfter: error.retryAfter };
    throw error;
  }
  return undefined;
};

describe('createSpendingPolicy: who', () => {
  it('fails closed without authorize', () => {
    expect(() => createSpendingPolicy({} as SpendingPolicyOptions)).toThrow(/authorize/);
  });

  it.each<[string, unknown, { kind: string; status: number } | { id: string }]>([
    ['an id string', 'u1', { id: 'u1' }],
    ['a caller object', { id: 'u2' }, { id: 'u2' }],
    ['true (the shared anonymous caller)', true, { id: 'anonymous' }],
    ['false', false, { kind: 'permission', status: 403 }],
    ['null', null, { kind: 'permission', status: 403 }],
    ['an empty id', '', { kind: 'permission', status: 403 }],
    ['an object without an id', { name: 'x' }, { kind: 'permission', status: 403 }],
    ["'unauthenticated'", 'unauthenticated', { kind: 'authentication', status: 401 }],
  ])('authorize returning %s', async (_name, verdict, expected) => {
    const policy = createSpendingPolicy({ authorize: () => verdict as never });
    const answer = await policy.identify(request(), 'generate').catch((error) => ({ kind: error.kind, status: error.status }));
    expect(answer).toEqual(expected);
  });

  it('a throwing authorize refuses, and one request is asked once per operation', async () => {
    let asked = 0;
    const throwing = createSpendingPolicy({
      authorize: () => {
        throw new Error('db down');
      },
    });
    expect(await refusal(throwing.identify(request(), 'generate'))).toMatchObject({ kind: 'permission', status: 403 });
    const counting = createSpendingPolicy({ authorize: () => `u${++asked}` });
    const one = request();
    expect(await counting.identify(one, 'generate')).toEqual(await counting.identify(one, 'generate'));
    expect(asked).toBe(1);
  });
});

describe('createSpendingPolicy: what and how much', () => {
  it('allows the Seedream table by default and nothing else; other models are opt-in', async () => {
    const policy = policyWith({ budget: false });
    for (const model of ['gpt-image-1', 'dall-e-3', 'doubao-seedream-9-9'])
      expect(await refusal(admit(policy, { model }))).toMatchObject({ kind: 'validation', paths: ['model'] });
    expect((await admit(policy, { model: 'doubao-seedream-4.0', size: '1K' })).params.model).toBe('doubao-seedream-4.0');
    const opted = policyWith({ budget: false, models: [MODEL, 'ep-20260101-custom'] });
    expect(opted.models).toContain('ep-20260101-custom');
    expect((await admit(opted, { model: 'ep-20260101-custom' })).params.model).toBe('ep-20260101-custom');
  });

  it('has safe default limits and refuses above them, naming the field', async () => {
    expect(DEFAULT_POLICY_LIMITS).toMatchObject({ maxImagesPerRequest: 4, maxReferenceImages: 10, maxPromptLength: 2000, maxPublicBodyBytes: 16 * 1024 });
    const policy = policyWith({ budget: false });
    const huge = 'x'.repeat(50_000_000); // counted without materialising an array
    expect(await refusal(admit(policy, { prompt: huge }))).toMatchObject({ paths: ['prompt'] });
    expect(await refusal(admit(policy, { prompt: '😀'.repeat(2001) }))).toMatchObject({ paths: ['prompt'] });
    expect(await admit(policy, { prompt: '😀'.repeat(2000) })).toBeTruthy();
    expect(await refusal(admit(policy, { image: Array.from({ length: 11 }, () => 'https://img.test/a.png') }))).toMatchObject({ paths: ['image'] });
    expect(await refusal(admit(policy, { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 5 } }))).toMatchObject({
      paths: ['sequential_image_generation_options.max_images'],
    });
  });

  it('injects max_images into a group that leaves it out, within references + outputs ≤ 15', async () => {
    const policy = policyWith({ budget: false, limits: { maxImagesPerRequest: 15, maxReferenceImages: 14 } });
    const plain = await admit(policy, { sequential_image_generation: 'auto' });
    expect([plain.params.sequential_image_generation_options, plain.images]).toEqual([{ max_images: 15 }, 15]);
    const withRefs = await admit(policy, { sequential_image_generation: 'auto', image: Array.from({ length: 10 }, () => 'https://img.test/a.png') });
    expect([withRefs.params.sequential_image_generation_options, withRefs.images]).toEqual([{ max_images: 5 }, 5]);
  });

  it('drops unknown keys at every depth and keeps wrong types for validation to name', async () => {
    const policy = policyWith({ budget: false });
    const { params } = await admit(policy, {
      model: 'doubao-seedream-5-0-260128',
      api_key: 'x',
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: 2, n: 100 },
      tools: [{ type: 'web_search', url: 'http://169.254.169.254/' }],
    });
    expect(params).toEqual({
      model: 'doubao-seedream-5-0-260128',
      prompt: 'a boat',
      size: '2K',
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: 2 },
      tools: [{ type: 'web_search' }],
    });
    expect(await refusal(admit(policy, { seed: 'seven' }))).toMatchObject({ kind: 'validation', paths: ['seed'] });
  });
});

describe('budgets', () => {
  const budget = (now: { t: number }) => ({
    perCaller: { images: 5, windowSeconds: 60 },
    global: { images: 8, windowSeconds: 60 },
    store: new MemoryBudgetStore({ now: () => now.t }),
  });

  it('refuses past the per-caller budget with a Retry-After, then opens again in the next window', async () => {
    const now = { t: 1_000_000 };
    const policy = policyWith({ budget: budget(now) });
    await admit(policy, { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 4 } });
    await admit(policy, {});
    const refused = await refusal(admit(policy, {}));
    expect(refused).toMatchObject({ kind: 'rate_limit', status: 429 });
    expect(refused!.retryAfter).toBeGreaterThan(0);
    expect(refused!.retryAfter).toBeLessThanOrEqual(60);
    now.t += 60_000;
    expect(await admit(policy, {})).toBeTruthy();
  });

  it('a global ceiling holds across callers, and a refused caller is not charged', async () => {
    const policy = policyWith({ budget: budget({ t: 0 }) });
    for (const user of ['a', 'b', 'c', 'd'])
      await admit(policy, { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 2 } }, user);
    expect(await refusal(admit(policy, {}, 'e'))).toMatchObject({ kind: 'rate_limit' });
    // 'e' was refused by the global window: its own budget is still whole once the global one has room.
  });

  it('settles: unused images come back after a success or a refusal that billed nothing, not after a timeout', async () => {
    const policy = policyWith({ budget: budget({ t: 0 }) });
    const group = { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 4 } };
    const first = await admit(policy, group);
    await first.settle({ generated: 1 }); // 3 come back: 1 used
    const second = await admit(policy, group);
    await second.settle({ generated: 0, error: new APIError({ status: 400, message: 'refused' }) }); // all 4 back
    const third = await admit(policy, group);
    await third.settle({ generated: 0, error: new APITimeoutError('timeout', { phase: 'deadline', timeout: 1000 }) }); // kept: may be billed
    expect(await refusal(admit(policy, {}))).toMatchObject({ kind: 'rate_limit' }); // 1 + 4 = 5 used
  });

  it('calls the rate-limit hook last and passes only an explicit yes', async () => {
    const seen: string[] = [];
    for (const [verdict, passes] of [
      [true, true],
      [{ allowed: true }, true],
      [false, false],
      [{ allowed: false, retryAfter: 9 }, false],
      [undefined, false],
    ] as const) {
      const policy = policyWith({ budget: false, rateLimit: ({ caller, images }) => (seen.push(`${caller.id}:${images}`), verdict as never) });
      const answer = await refusal(admit(policy, {}));
      expect(answer === undefined).toBe(passes);
      if (!passes) expect(answer).toMatchObject({ kind: 'rate_limit', status: 429 });
    }
    expect(seen).toEqual(Array(5).fill('alice:1'));
  });
});

describe('uploads', () => {
  const png = () =>
    sharp({ create: { width: 64, height: 64, channels: 3, background: '#36c' } })
      .png()
      .toBuffer();
  const setup = () => {
    const uploads = new MemoryUploadStore();
    const policy = policyWith({ budget: false, uploads });
    return { policy, handler: createUploadHandler({ policy, store: uploads, maxBytes: 100_000 }) };
  };
  const upload = (handler: (r: Request) => Promise<Response>, body: BodyInit, headers: Record<string, string>) =>
    handler(new Request('http://app.test/api/uploads', { method: 'POST', body, headers }));

  it('stores an image for its owner only; the handle then stands for the bytes', async () => {
    const { policy, handler } = setup();
    const bytes = await png();
    const answer = await upload(handler, bytes, { 'content-type': 'image/png', 'x-user': 'alice' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    const stored = (await answer.json()) as { handle: string; type: string; bytes: number };
    expect(stored).toMatchObject({ handle: expect.stringMatching(/^upload:[A-Za-z0-9_-]{32}$/), type: 'image/png', bytes: bytes.length });
    const admitted = await admit(policy, { image: [stored.handle] });
    expect(admitted.params.image).toEqual([new Uint8Array(bytes)]);
    expect(await refusal(admit(policy, { image: [stored.handle] }, 'mallory'))).toMatchObject({ paths: ['image[0]'] });
    expect(await refusal(admit(policy, { image: `upload:${'A'.repeat(32)}` }))).toMatchObject({ paths: ['image'] });
  });

  it('refuses a stranger (403), a wrong type (415), a non-image (415) and too many bytes (413)', async () => {
    const { handler } = setup();
    const bytes = await png();
    expect((await upload(handler, bytes, { 'content-type': 'image/png' })).status).toBe(403);
    expect((await upload(handler, bytes, { 'content-type': 'text/plain', 'x-user': 'a' })).status).toBe(415);
    expect((await upload(handler, 'not an image at all', { 'content-type': 'image/png', 'x-user': 'a' })).status).toBe(415);
    expect((await upload(handler, new Uint8Array(200_000), { 'content-type': 'image/png', 'x-user': 'a' })).status).toBe(413);
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(64 * 1024)); // endless: the cap must stop reading it
      },
    });
    const streamed = await handler(
      new Request('http://app.test/api/uploads', {
        method: 'POST',
        body: chunked,
        headers: { 'content-type': 'image/png', 'x-user': 'a' },
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
  });

  it('expires handles and keeps at most maxPerOwner per caller', async () => {
    const now = { t: 0 };
    const store = new MemoryUploadStore({ ttlSeconds: 10, maxPerOwner: 2, now: () => now.t });
    const [a, b, c] = [1, 2, 3].map(() => store.put('alice', new Uint8Array([1]), 'image/png').handle);
    expect([store.get(a!, 'alice'), store.get(b!, 'alice') !== undefined, store.get(c!, 'alice') !== undefined]).toEqual([undefined, true, true]);
    now.t = 11_000;
    expect(store.get(c!, 'alice')).toBeUndefined();
  });
});
