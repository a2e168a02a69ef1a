import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_ERROR_KINDS, clientErrorKindForStatus, type ClientErrorKindInfo, type SeedreamClientErrorKind } from '@seedream-kit/core/transport';
import { createGraphQLTransport, isSeedreamClientError, type SeedreamClientError, toInput } from '../src/transport.js';
import type { ClientEvent } from '../src/transport.js';
import { FAKE_KEY, SIZE, startStack } from './helpers.js';
import type { Stack } from './helpers.js';

const PNG_16 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGklEQVR42mP4z8BAEmIY1TCqYVTDqIbhqwEAwN8f8TqnG1gAAAAASUVORK5CYII=', 'base64');

async function rejection(promise: Promise<unknown>): Promise<SeedreamClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSeedreamClientError(error)) throw new Error(`expected a SeedreamClientError, got ${String(error)}`);
  return error;
}

describe('createGraphQLTransport against the served endpoint', () => {
  let stack: Stack;
  const signal = () => new AbortController().signal;
  beforeAll(async () => {
    stack = await startStack({
      emulator: { latency: 0 },
      yoga: { policy: { authorize: (request) => (request.headers.get('authorization') === 'Bearer user-token' ? 'user' : 'unauthenticated') } },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFaults(undefined);
    stack.emulator.log.clear();
  });
  const transport = () => createGraphQLTransport({ url: stack.url, headers: () => ({ authorization: 'Bearer user-token' }) });

  it('runs a one-shot generation through the mutation (Blob references become data URIs)', async () => {
    const result = await transport().generate(
      { prompt: 'a paper boat', size: SIZE, image: [new Blob([PNG_16]), 'https://example.com/ref.png'], watermark: false },
      { signal: signal() },
    );
    expect(result.model).toBe('doubao-seedream-4-0-250828');
    expect(result.created).toBeGreaterThan(1_700_000_000);
    expect(result.images).toEqual([{ index: 0, url: expect.stringContaining('X-Tos-Signature='), size: '1024x1024', width: 1024, height: 1024 }]);
    expect(result.usage).toEqual({ generated_images: 1, output_tokens: 4096, total_tokens: 4096 });
    const sent = stack.emulator.log.generations()[0]!.body as any;
    expect(sent.image[0]).toMatch(/^data:image\/png;base64,/);
    expect(sent.image[1]).toBe('https://example.com/ref.png');
    expect(sent.watermark).toBe(false);
  });

  it('returns b64_json as a data: URL when asked for', async () => {
    const result = await transport().generate({ prompt: 'a paper boat', size: SIZE, response_format: 'b64_json' }, { signal: signal() });
    expect(result.images[0]!.b64_json).toBeTruthy();
    expect(result.images[0]!.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);
  });

  it('streams: onEvent per image, in order, then the collected result', async () => {
    const events: ClientEvent[] = [];
    const result = await transport().generate(
      { prompt: 'a series of 3 images', size: SIZE, sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 }, stream: true },
      { signal: signal(), onEvent: (event) => events.push(event) },
    );
    expect(events.map((e) => [e.type, e.image.index])).toEqual([
      ['image', 0],
      ['image', 1],
      ['image', 2],
    ]);
    expect(result.images.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(result.usage?.generated_images).toBe(3);
    expect(stack.emulator.log.generations()[0]!.stream).toBe(true);
  });

  it('maps error codes to client error kinds, with fields and retryAfter', async () => {
    const invalid = await rejection(transport().generate({ prompt: 'x', size: '3x3' }, { signal: signal() }));
    expect(invalid).toMatchObject({ name: 'SeedreamClientError', kind: 'validation', fields: [{ path: 'size', message: expect.any(String) }] });
    const badRef = await rejection(transport().generate({ prompt: 'x', size: SIZE, image: ['https://e.com/a.png', 'nope'] }, { signal: signal() }));
    expect(badRef.fields?.map((f) => f.path)).toContain('image[1]');

    const anonymous = await rejection(createGraphQLTransport({ url: stack.url }).generate({ prompt: 'x' }, { signal: signal() }));
    expect(anonymous.kind).toBe('authentication');

    stack.emulator.setFaults('status=429,retry-after=9');
    const limited = await rejection(transport().generate({ prompt: 'x', size: SIZE }, { signal: signal() }));
    expect(limited).toMatchObject({ kind: 'rate_limit', retryAfter: 9, requestId: expect.any(String) });

    stack.emulator.setFaults('status=400,code=OutputImageSensitiveContentDetected');
    expect((await rejection(transport().generate({ prompt: 'x', size: SIZE }, { signal: signal() }))).kind).toBe('content_policy');

    stack.emulator.setFaults('status=502');
    const upstream = await rejection(transport().generate({ prompt: 'x', size: SIZE }, { signal: signal() }));
    expect(upstream.kind).toBe('upstream');
    expect(upstream.message).not.toContain(FAKE_KEY);
  });

  it('keeps the images already received when the stream fails (partialResult)', async () => {
    stack.emulator.setFaults('stream-error=2');
    const events: ClientEvent[] = [];
    const error = await rejection(
      transport().generate(
        {
          prompt: 'a series of 4 images',
          size: SIZE,
          sequential_image_generation: 'auto',
          sequential_image_generation_options: { max_images: 4 },
          stream: true,
        },
        { signal: signal(), onEvent: (event) => events.push(event) },
      ),
    );
    expect(error.kind).toBe('upstream');
    expect(events).toHaveLength(2);
    expect(error.partialResult?.images.map((i) => i.index)).toEqual([0, 1]);
  });

  it('aborts: kind aborted; the job goes on until cancel({ jobId }) (what the store does on abort) stops it upstream', async () => {
    stack.emulator.setFaults('latency=3000');
    const controller = new AbortController();
    const jobs: string[] = [];
    let named!: () => void;
    const job = new Promise<void>((resolve) => (named = resolve));
    const onJob = (jobId: string) => (jobs.push(jobId), named());
    const pending = rejection(transport().generate({ prompt: 'a boat', size: SIZE, stream: true }, { signal: controller.signal, onJob }));
    // The first event names the job, long before the image (3 s away).
    await job;
    await stack.emulator.log.waitFor((entry) => entry.kind === 'generation', 3000);
    controller.abort();
    expect((await pending).kind).toBe('aborted');
    expect(jobs).toEqual([expect.stringMatching(/^job_[\w-]{32}$/)]);
    expect(stack.emulator.log.generations()[0]!.endedAt).toBeUndefined();
    await transport().cancel!({ jobId: jobs[0] });
    expect((await stack.emulator.log.waitFor((e) => e.aborted === true, 3000)).status).toBe(499);
  });

  it('network failures are kind network', async () => {
    const closed = createGraphQLTransport({ url: 'http://127.0.0.1:9/graphql' });
    expect((await rejection(closed.generate({ prompt: 'x' }, { signal: signal() }))).kind).toBe('network');
  });

  it('maps every core parameter to the GraphQL input', async () => {
    expect(
      await toInput({
        prompt: 'p',
        model: 'm',
        image: 'https://e.com/a.png',
        size: '2K',
        seed: 1,
        sequential_image_generation: 'auto',
        sequential_image_generation_options: { max_images: 3 },
        guidance_scale: 2.5,
        response_format: 'b64_json',
        watermark: false,
        output_format: 'png',
        optimize_prompt_options: { mode: 'fast' },
        tools: [{ type: 'web_search' }],
        layer_decomposition: true,
        background: 'transparent',
      }),
    ).toEqual({
      prompt: 'p',
      model: 'm',
      images: ['https://e.com/a.png'],
      size: '2K',
      seed: 1,
      sequential: true,
      maxImages: 3,
      guidanceScale: 2.5,
      responseFormat: 'B64_JSON',
      watermark: false,
      outputFormat: 'PNG',
      optimizePromptMode: 'FAST',
      webSearch: true,
      layerDecomposition: true,
      background: 'TRANSPARENT',
    });
  });

  it("the transport entry imports nothing at run time but core's small transport contract (no graphql-js)", () => {
    const source = readFileSync(new URL('../src/transport.ts', import.meta.url), 'utf8');
    const runtime = [...source.matchAll(/^(?:import|export) (?!type )[^;]*? from '([^']+)'/gm)].map((match) => match[1]);
    expect(new Set(runtime)).toEqual(new Set(['@seedream-kit/core/transport']));
    expect(source).not.toMatch(/from 'graphql'|require\(/);
  });
});

describe("createGraphQLTransport reads every code of the table (core's CLIENT_ERROR_KINDS)", () => {
  const table = Object.entries(CLIENT_ERROR_KINDS) as Array<[SeedreamClientErrorKind, ClientErrorKindInfo]>;
  const codes = table.flatMap(([kind, info]) => [info.code, ...(info.extraCodes ?? [])].map((code): [string, SeedreamClientErrorKind] => [code, kind]));
  const answering = (status: number, body: string, type = 'application/graphql-response+json') =>
    createGraphQLTransport({ url: 'http://graphql.test/graphql', fetch: async () => new Response(body, { status, headers: { 'content-type': type } }) });
  const signal = () => new AbortController().signal;

  it.each(codes)('%s → %s', async (code, kind) => {
    const transport = answering(200, JSON.stringify({ errors: [{ message: 'refused', extensions: { code } }], data: null }));
    expect(await rejection(transport.generate({ prompt: 'x' }, { signal: signal() }))).toMatchObject({ kind, message: 'refused', status: 200 });
  });

  it("a code the table does not know reads as the kind of the HTTP status; a missing message is the kind's", async () => {
    for (const status of [200, 400, 404, 429, 500, 503]) {
      const error = await rejection(
        answering(status, JSON.stringify({ errors: [{ extensions: { code: 'SOMETHING_NEW' } }] })).generate({ prompt: 'x' }, { signal: signal() }),
      );
      const kind = clientErrorKindForStatus(status);
      expect([status, error.kind, error.message]).toEqual([status, kind, CLIENT_ERROR_KINDS[kind].message]);
    }
  });

  it.each<[string, number, SeedreamClientErrorKind]>([
    ['REQUEST_ENTITY_TOO_LARGE', 413, 'limit_exceeded'], // the body limit
    ['GRAPHQL_PARSE_FAILED', 400, 'bad_request'], // yoga
    ['GRAPHQL_VALIDATION_FAILED', 400, 'bad_request'], // yoga, Apollo Server
    ['GRAPHQL_VALIDATION_FAILED', 200, 'bad_request'], // the same with application/json
    ['INTERNAL_SERVER_ERROR', 200, 'upstream'], // yoga's masked error (an extra code of the table)
  ])("other servers' codes: %s with %i → %s", async (code, status, kind) => {
    const transport = answering(status, JSON.stringify({ errors: [{ message: 'm', extensions: { code } }] }));
    expect(await rejection(transport.generate({ prompt: 'x' }, { signal: signal() }))).toMatchObject({ kind, status });
  });

  it("an answer that is not GraphQL (a proxy's page) reads as the kind of its status", async () => {
    for (const status of [404, 413, 502, 503, 504]) {
      const error = await rejection(answering(status, '<html>proxy</html>', 'text/html').generate({ prompt: 'x' }, { signal: signal() }));
      expect([status, error.kind]).toEqual([status, clientErrorKindForStatus(status)]);
    }
  });

  it("the server's own limit (OPERATION_LIMIT_EXCEEDED, from its validation rule) is limit_exceeded", async () => {
    const stack = await startStack({ emulator: { latency: 0 }, yoga: { limits: { maxGenerationsPerOperation: 0 } } });
    try {
      const transport = createGraphQLTransport({ url: stack.url });
      const error = await rejection(transport.generate({ prompt: 'a paper boat', size: SIZE }, { signal: signal() }));
      expect(error).toMatchObject({ kind: 'limit_exceeded' });
      expect(CLIENT_ERROR_KINDS[error.kind]).toMatchObject({ retryable: false, billed: false });
      expect(stack.emulator.log.generations()).toHaveLength(0);
    } finally {
      await stack.close();
    }
  });
});
