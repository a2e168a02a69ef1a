import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_KEY, MUTATION, RESUME, SIZE, SUBSCRIPTION, startStack, subscribe } from './helpers.js';
import type { SseEvent, Stack } from './helpers.js';

const LATENCY = 400;

describe('Subscription.imageGeneration over SSE (real port)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { latency: LATENCY } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFaults(undefined);
    stack.emulator.log.clear();
  });

  const items = (events: SseEvent[]) => events.filter((e) => e.event === 'next').map((e) => e.data);
  /** The events after `GenerationStarted`, which always comes first and names the job every later event names. */
  const afterStart = (events: SseEvent[]) => {
    const [started, ...rest] = items(events);
    expect(started.data.imageGeneration).toMatchObject({ __typename: 'GenerationStarted', jobId: expect.stringMatching(/^job_[\w-]{32}$/) });
    for (const item of rest) if (item.data) expect(item.data.imageGeneration.jobId).toBe(started.data.imageGeneration.jobId);
    return rest;
  };

  it('streams a sequential group image by image, in order, as each is ready, then completion with usage', async () => {
    const begin = performance.now();
    const events = await subscribe(stack.url, SUBSCRIPTION, {
      input: { prompt: 'a series of 4 frames of a sunrise', size: SIZE, sequential: true, maxImages: 4 },
    });
    const next = events.filter((e) => e.event === 'next').slice(1);
    expect(events.at(-1)!.event).toBe('complete');
    const payloads = afterStart(events).map((d) => d.data.imageGeneration);
    expect(payloads.map((p) => p.__typename)).toEqual(['ImageGenerated', 'ImageGenerated', 'ImageGenerated', 'ImageGenerated', 'GenerationCompleted']);
    expect(payloads.slice(0, 4).map((p) => p.image.index)).toEqual([0, 1, 2, 3]);
    for (const p of payloads.slice(0, 4))
      expect(p.image).toMatchObject({
        url: expect.stringContaining('X-Tos-Signature='),
        width: 1024,
        height: 1024,
        size: '1024x1024',
        outputFormat: 'JPEG',
        b64Json: null,
        error: null,
      });
    expect(payloads[4]).toMatchObject({ model: 'doubao-seedream-4-0-250828', usage: { generatedImages: 4, outputTokens: 4 * 4096, totalTokens: 4 * 4096 } });
    expect(payloads[4].requestId).toBe(stack.emulator.log.generations()[0]!.requestId);

    // Each image arrives on its own, about one emulator latency after the previous one: a list sent at the
    // end would arrive all at once. (Lower bounds only: a slow machine makes gaps longer, never shorter.)
    const arrivals = next.slice(0, 4).map((e) => e.at);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThan(LATENCY * 0.5);
    expect(arrivals[0]! - begin).toBeGreaterThan(LATENCY * 0.5);
    expect(arrivals[3]! - arrivals[0]!).toBeGreaterThan(LATENCY * 2);
    const entry = stack.emulator.log.generations()[0]!;
    expect(entry.stream).toBe(true);
    expect(entry.events).toEqual([
      'image_generation.partial_succeeded',
      'image_generation.partial_succeeded',
      'image_generation.partial_succeeded',
      'image_generation.partial_succeeded',
      'image_generation.completed',
      '[DONE]',
    ]);
  });

  it('sends ImageFailed for a failed slot and goes on', async () => {
    stack.emulator.setFaults('fail-image=1,latency=0');
    const payloads = afterStart(
      await subscribe(stack.url, SUBSCRIPTION, { input: { prompt: 'a series of 3 images', size: SIZE, sequential: true, maxImages: 3 } }),
    ).map((d) => d.data.imageGeneration);
    expect(payloads.map((p) => p.__typename)).toEqual(['ImageGenerated', 'ImageFailed', 'ImageGenerated', 'GenerationCompleted']);
    expect(payloads[1].image).toMatchObject({ index: 1, url: null, error: { code: 'OutputImageSensitiveContentDetected' } });
    expect(payloads[3].usage.generatedImages).toBe(2);
  });

  it('ends with an UPSTREAM_ERROR result after the images received when the upstream stream fails', async () => {
    stack.emulator.setFaults('stream-error=2,latency=0');
    const events = await subscribe(stack.url, SUBSCRIPTION, { input: { prompt: 'a series of 4 images', size: SIZE, sequential: true, maxImages: 4 } });
    const data = afterStart(events);
    expect(data.slice(0, 2).map((d) => d.data.imageGeneration.image.index)).toEqual([0, 1]);
    expect(data[2].errors[0].extensions.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(events)).not.toContain(FAKE_KEY);
    expect(events.at(-1)!.event).toBe('complete');
  });

  it('reports a cut-off upstream stream (truncate) as UPSTREAM_ERROR after every image received', async () => {
    stack.emulator.setFaults('truncate,latency=0');
    const data = afterStart(
      await subscribe(stack.url, SUBSCRIPTION, { input: { prompt: 'a series of 2 images', size: SIZE, sequential: true, maxImages: 2 } }),
    );
    expect(data.slice(0, 2).map((d) => d.data.imageGeneration.__typename)).toEqual(['ImageGenerated', 'ImageGenerated']);
    expect(data[2].errors[0].extensions.code).toBe('UPSTREAM_ERROR');
    expect(data).toHaveLength(3);
  });

  it('refuses before streaming: validation, limits and authorization errors arrive as one error result', async () => {
    const events = await subscribe(stack.url, SUBSCRIPTION, { input: { prompt: 'x', size: 'huge' } });
    const data = items(events);
    expect(data).toHaveLength(1);
    expect(data[0].errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'size' });
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it('still answers on a model that cannot stream (5.0 Pro): every image at the end', async () => {
    stack.emulator.setFaults('latency=0');
    const payloads = afterStart(
      await subscribe(stack.url, SUBSCRIPTION, { input: { prompt: 'a fox', model: 'doubao-seedream-5-0-pro-260628', size: '1K' } }),
    ).map((d) => d.data.imageGeneration);
    expect(payloads.map((p) => p.__typename)).toEqual(['ImageGenerated', 'GenerationCompleted']);
    expect(stack.emulator.log.generations()[0]!.stream).toBe(false);
  });

  it('works in process too (yoga.fetch)', async () => {
    stack.emulator.setFaults('latency=0');
    const response = await stack.yoga.fetch('http://yoga.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: SUBSCRIPTION, variables: { input: { prompt: 'a series of 2 images', size: SIZE, sequential: true, maxImages: 2 } } }),
    });
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(text.match(/"__typename":"ImageGenerated"/g)).toHaveLength(2);
    expect(text).toContain('GenerationCompleted');
  });
});

describe('a client that leaves does not stop the job (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { latency: 1500 } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFaults(undefined);
    stack.emulator.log.clear();
  });

  it('the mutation: the upstream call finishes; a retry with the same idempotency key gets its result, with one upstream request', async () => {
    const controller = new AbortController();
    const variables = { input: { prompt: 'a boat', size: SIZE }, key: 'leave-1' };
    const pending = fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION, variables }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await stack.emulator.log.waitFor((entry) => entry.kind === 'generation', 3000);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    const entry = await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 5000);
    expect([entry.aborted, entry.imagesGenerated]).toEqual([false, 1]);
    const { body } = await stack.gql(MUTATION, variables);
    expect(body.errors).toBeUndefined();
    expect(body.data.generateImages).toMatchObject({ jobId: expect.stringMatching(/^job_/), images: [{ index: 0, url: expect.any(String) }] });
    expect(stack.emulator.log.generations()).toHaveLength(1);
  });

  it('the subscription: the series goes on; resumeGeneration replays every image once, in order, then completion', async () => {
    stack.emulator.setFaults('latency=300');
    const controller = new AbortController();
    let jobId = '';
    const pending = subscribe(
      stack.url,
      SUBSCRIPTION,
      { input: { prompt: 'a series of 4 images', size: SIZE, sequential: true, maxImages: 4 } },
      {
        signal: controller.signal,
        onEvent: (event) => {
          const item = event.data?.data?.imageGeneration;
          if (item?.__typename === 'GenerationStarted') jobId = item.jobId;
          if (item?.__typename === 'ImageGenerated') controller.abort();
        },
      },
    ).catch((error: unknown) => error);
    expect(await pending).toBeInstanceOf(Error);
    const entry = await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 8000);
    expect([entry.aborted, entry.imagesGenerated]).toEqual([false, 4]);

    const resumed = (await subscribe(stack.url, RESUME, { id: jobId })).filter((e) => e.event === 'next').map((e) => e.data.data.resumeGeneration);
    expect(resumed.map((e) => `${e.__typename}:${e.image?.index ?? ''}`)).toEqual([
      'ImageGenerated:0',
      'ImageGenerated:1',
      'ImageGenerated:2',
      'ImageGenerated:3',
      'GenerationCompleted:',
    ]);
    expect(new Set(resumed.map((e) => e.jobId))).toEqual(new Set([jobId]));
    expect(resumed[4]).toMatchObject({ model: 'doubao-seedream-4-0-250828', usage: { generatedImages: 4 }, requestId: entry.requestId });
    expect(resumed[0]).toMatchObject({
      model: 'doubao-seedream-4-0-250828',
      image: { outputFormat: 'JPEG', url: expect.stringContaining('X-Tos-Signature=') },
    });
    expect(stack.emulator.log.generations()).toHaveLength(1);
  });
});

describe("with jobs: { onDisconnect: 'cancel' }, a client that leaves cancels the job", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { latency: 3000 }, yoga: { jobs: { onDisconnect: 'cancel' } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.log.clear());

  it('a client that disconnects from the mutation cancels the upstream request', async () => {
    const controller = new AbortController();
    const pending = fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION, variables: { input: { prompt: 'a boat', size: SIZE } } }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await stack.emulator.log.waitFor((entry) => entry.kind === 'generation', 3000);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    const entry = await stack.emulator.log.waitFor((e) => e.aborted === true, 2500);
    expect(entry.status).toBe(499);
    expect(entry.imagesGenerated).toBe(0);
  });

  it('a client that leaves the subscription cancels the upstream stream between images', async () => {
    stack.emulator.setFaults('latency=600');
    const controller = new AbortController();
    const seen: number[] = [];
    const pending = subscribe(
      stack.url,
      SUBSCRIPTION,
      { input: { prompt: 'a series of 6 images', size: SIZE, sequential: true, maxImages: 6 } },
      {
        signal: controller.signal,
        onEvent: (event) => {
          const index = event.data?.data?.imageGeneration?.image?.index;
          if (typeof index === 'number') seen.push(index);
          if (seen.length === 1) controller.abort();
        },
      },
    ).catch((error: unknown) => error);
    expect(await pending).toBeInstanceOf(Error);
    const entry = await stack.emulator.log.waitFor((e) => e.aborted === true, 3000);
    expect(entry.stream).toBe(true);
    expect(entry.imagesGenerated).toBeLessThan(6);
    expect(entry.events).not.toContain('image_generation.completed');
    stack.emulator.setFaults(undefined);
  });
});
