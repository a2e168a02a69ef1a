/**
 * Generations as durable jobs, over a real port against the emulator: the mutation's result and the
 * subscription's first event name the job; `generationJob` reads it, `resumeGeneration` replays every event once
 * and in order then follows live, `cancelGeneration` stops it upstream; an idempotency key attaches a retry to
 * its job (one upstream request); another caller's job is NOT_FOUND everywhere, exactly like an unknown id.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGraphQLTransport } from '../src/transport.js';
import type { ClientEvent, ClientGenerateParams } from '../src/transport.js';
import { CANCEL, JOB, MUTATION, RESUME, SIZE, SUBSCRIPTION, startStack, subscribe } from './helpers.js';
import type { SseEvent, Stack } from './helpers.js';

const SERIES = { prompt: 'a series of 4 images of a lighthouse', size: SIZE, sequential: true, maxImages: 4 };
/** The caller is whoever `x-user` names: the policy keys jobs (and idempotency keys) by it. */
const as = (user: string) => ({ 'x-user': user });
const nexts = (events: SseEvent[], field: string) => events.filter((e) => e.event === 'next').map((e) => e.data.data?.[field] ?? e.data);

describe('jobs through GraphQL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { latency: 0 }, yoga: { policy: { authorize: (request) => request.headers.get('x-user') ?? false } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFaults(undefined);
    stack.emulator.log.clear();
  });

  /** Subscribes as `user` and resolves with the job id of the first event, leaving the rest to `done`. */
  function startSeries(user: string, variables: Record<string, unknown>, onEvent?: (item: any) => void) {
    let named!: (jobId: string) => void;
    const jobId = new Promise<string>((resolve) => (named = resolve));
    const done = subscribe(stack.url, SUBSCRIPTION, variables, {
      headers: as(user),
      onEvent: (event) => {
        const item = event.data?.data?.imageGeneration;
        if (item?.__typename === 'GenerationStarted') named(item.jobId);
        if (item) onEvent?.(item);
      },
    });
    return { jobId, done };
  }

  it('the mutation result names its job; generationJob reads it back with its images, result and usage', async () => {
    const { body } = await stack.gql(MUTATION, { input: { prompt: 'a paper boat', size: SIZE } }, as('ann'));
    expect(body.errors).toBeUndefined();
    const result = body.data.generateImages;
    expect(result.jobId).toMatch(/^job_[\w-]{32}$/);
    const job = await stack.gql(JOB, { id: result.jobId }, as('ann'));
    expect(job.body.errors).toBeUndefined();
    expect(job.body.data.generationJob).toEqual({ id: result.jobId, state: 'SUCCEEDED', images: result.images, result, error: null });
    expect(result.requestId).toBe(stack.emulator.log.generations()[0]!.requestId);
  });

  it('b64 results keep working from the log: url null, b64Json the bytes (mutation, generationJob, resumeGeneration)', async () => {
    const { body } = await stack.gql(MUTATION, { input: { prompt: 'a red square', size: SIZE, responseFormat: 'B64_JSON' } }, as('ann'));
    const [image] = body.data.generateImages.images;
    expect(image).toMatchObject({ url: null, outputFormat: 'JPEG' });
    expect([...Buffer.from(image.b64Json, 'base64').subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const job = await stack.gql(JOB, { id: body.data.generateImages.jobId }, as('ann'));
    expect(job.body.data.generationJob.images).toEqual([image]);
    const resumed = nexts(await subscribe(stack.url, RESUME, { id: body.data.generateImages.jobId }, { headers: as('ann') }), 'resumeGeneration');
    expect(resumed[0].image).toEqual(image);
  });

  it('resumeGeneration mid-series replays what was produced exactly once, in order, then follows the rest live, then ends', async () => {
    stack.emulator.setFaults('latency=400');
    let resolveFirst!: () => void;
    const firstImage = new Promise<void>((resolve) => (resolveFirst = resolve));
    const original = startSeries('ann', { input: SERIES }, (item) => item.__typename === 'ImageGenerated' && resolveFirst());
    const jobId = await original.jobId;
    await firstImage;
    // Still running: whatever the resume gets beyond the images produced so far, it got live.
    const before = (await stack.gql(JOB, { id: jobId }, as('ann'))).body.data.generationJob;
    expect(before.state).toBe('RUNNING');
    expect(before.images.length).toBeLessThan(4);
    const resumed = nexts(await subscribe(stack.url, RESUME, { id: jobId }, { headers: as('ann') }), 'resumeGeneration');
    expect(resumed.map((e) => `${e.__typename}:${e.image?.index ?? ''}`)).toEqual([
      'ImageGenerated:0',
      'ImageGenerated:1',
      'ImageGenerated:2',
      'ImageGenerated:3',
      'GenerationCompleted:',
    ]);
    const originalEvents = nexts(await original.done, 'imageGeneration');
    expect(originalEvents.map((e) => e.__typename)).toEqual(['GenerationStarted', ...resumed.map((e) => e.__typename)]);
    // The same events, byte for byte, whichever way they were read.
    expect(originalEvents.slice(1)).toEqual(resumed);
    expect(stack.emulator.log.generations()).toHaveLength(1);
  });

  it('an idempotent retry attaches to the same job (one upstream request); a different input under the key is BAD_REQUEST', async () => {
    stack.emulator.setFaults('latency=300');
    const variables = { input: SERIES, key: 'retry-1' };
    const a = startSeries('ann', variables);
    const b = startSeries('ann', variables);
    expect(await a.jobId).toBe(await b.jobId);
    const [eventsA, eventsB] = await Promise.all([a.done, b.done]);
    const imagesOf = (events: SseEvent[]) => nexts(events, 'imageGeneration').filter((e) => e.__typename === 'ImageGenerated');
    expect(imagesOf(eventsA).map((e) => e.image.index)).toEqual([0, 1, 2, 3]);
    expect(imagesOf(eventsB)).toEqual(imagesOf(eventsA));
    expect(stack.emulator.log.generations()).toHaveLength(1);

    // A mutation retried with its key: the same job, no second request.
    const once = await stack.gql(MUTATION, { input: { prompt: 'a boat', size: SIZE }, key: 'retry-2' }, as('ann'));
    const twice = await stack.gql(MUTATION, { input: { prompt: 'a boat', size: SIZE }, key: 'retry-2' }, as('ann'));
    expect(twice.body.data.generateImages).toEqual(once.body.data.generateImages);
    expect(stack.emulator.log.generations()).toHaveLength(2);

    const changed = await stack.gql(MUTATION, { input: { prompt: 'another boat', size: SIZE }, key: 'retry-2' }, as('ann'));
    expect(changed.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(changed.body.data).toBeNull();
    // The same key from another caller is another caller's key: a new job.
    const bob = await stack.gql(MUTATION, { input: { prompt: 'a boat', size: SIZE }, key: 'retry-2' }, as('bob'));
    expect(bob.body.data.generateImages.jobId).not.toBe(once.body.data.generateImages.jobId);
    expect(stack.emulator.log.generations()).toHaveLength(3);
    const bad = await stack.gql(MUTATION, { input: { prompt: 'a boat', size: SIZE }, key: 'x'.repeat(300) }, as('ann'));
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(stack.emulator.log.generations()).toHaveLength(3);
  });

  it("another caller's job id is NOT_FOUND for the query, resume and cancel, exactly like an unknown id", async () => {
    const { body } = await stack.gql(MUTATION, { input: { prompt: 'a boat', size: SIZE } }, as('ann'));
    const jobId = body.data.generateImages.jobId;
    const probe = async (id: string) => {
      const query = await stack.gql(JOB, { id }, as('bob'));
      const cancel = await stack.gql(CANCEL, { id }, as('bob'));
      const resume = nexts(await subscribe(stack.url, RESUME, { id }, { headers: as('bob') }), 'resumeGeneration');
      return [query.body, cancel.body, ...resume].map((answer) => ({ data: answer.data, errors: answer.errors?.map((e: any) => [e.message, e.extensions]) }));
    };
    const theirs = await probe(jobId);
    expect(theirs.map((answer) => answer.errors?.[0]?.[1]?.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect(theirs.map((answer) => answer.data ?? null)).toEqual([{ generationJob: null }, { cancelGeneration: null }, null]);
    expect(await probe(`job_${'A'.repeat(32)}`)).toEqual(theirs);
    expect(await probe('not-even-an-id')).toEqual(theirs);
    expect((await stack.gql(CANCEL, { key: 'never-used' }, as('bob'))).body.errors[0].extensions.code).toBe('NOT_FOUND');
    // The owner still can; nobody at all is refused before anything is looked up.
    expect((await stack.gql(JOB, { id: jobId }, as('ann'))).body.data.generationJob.state).toBe('SUCCEEDED');
    expect((await stack.gql(JOB, { id: jobId })).body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('cancelGeneration stops the upstream stream; the subscription ends ABORTED after its images; the job reads CANCELLED', async () => {
    stack.emulator.setFaults('latency=500');
    let resolveFirst!: () => void;
    const firstImage = new Promise<void>((resolve) => (resolveFirst = resolve));
    const series = startSeries('ann', { input: { ...SERIES, maxImages: 6, prompt: 'a series of 6 images' } }, (item) => {
      if (item.__typename === 'ImageGenerated') resolveFirst();
    });
    const jobId = await series.jobId;
    await firstImage;
    const { body } = await stack.gql(CANCEL, { id: jobId }, as('ann'));
    expect(body.errors).toBeUndefined();
    expect(body.data.cancelGeneration).toMatchObject({ id: jobId, state: 'CANCELLED', result: null, error: { code: 'ABORTED' } });
    expect(body.data.cancelGeneration.images.length).toBeGreaterThanOrEqual(1);
    const events = nexts(await series.done, 'imageGeneration');
    expect(events.at(-1).errors[0].extensions.code).toBe('ABORTED');
    const entry = await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 5000);
    expect(entry.aborted).toBe(true);
    expect(entry.imagesGenerated).toBeLessThan(6);
    expect((await stack.gql(JOB, { id: jobId }, as('ann'))).body.data.generationJob.state).toBe('CANCELLED');
  });

  it('cancelGeneration by idempotency key stops a mutation whose job id never arrived; it needs a JSON POST', async () => {
    stack.emulator.setFaults('latency=3000');
    const controller = new AbortController();
    const pending = fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as('ann') },
      body: JSON.stringify({ query: MUTATION, variables: { input: { prompt: 'a boat', size: SIZE }, key: 'early' } }),
      signal: controller.signal,
    }).catch(() => undefined);
    await stack.emulator.log.waitFor((e) => e.kind === 'generation', 3000);
    controller.abort();
    await pending;
    // A cross-site HTML form (no preflight, the victim's cookies) cannot cancel someone's job.
    const forged = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...as('ann') },
      body: new URLSearchParams({ query: CANCEL, variables: JSON.stringify({ key: 'early' }) }).toString(),
    });
    expect((await forged.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    const both = await stack.gql(CANCEL, { key: 'early', id: 'job_x' }, as('ann'));
    expect(both.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const { body } = await stack.gql(CANCEL, { key: 'early' }, as('ann'));
    expect(body.data.cancelGeneration).toMatchObject({ state: 'CANCELLED', error: { code: 'ABORTED' } });
    expect((await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 5000)).aborted).toBe(true);
  });

  it('the browser transport: onJob, the idempotency key, resume(jobId) after leaving, cancel({ idempotencyKey })', async () => {
    stack.emulator.setFaults('latency=300');
    const transport = createGraphQLTransport({ url: stack.url, headers: as('ann') });
    const request: ClientGenerateParams = {
      prompt: 'a series of 3 images',
      size: SIZE,
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: 3 },
      stream: true,
    };
    const controller = new AbortController();
    const jobs: string[] = [];
    const left = await transport
      .generate(request, {
        signal: controller.signal,
        idempotencyKey: 'tab-1',
        onJob: (jobId) => jobs.push(jobId),
        onEvent: () => controller.abort(),
      })
      .catch((error: unknown) => error);
    expect(left).toMatchObject({ kind: 'aborted', partialResult: { images: [{ index: 0 }] } });
    expect(jobs).toEqual([expect.stringMatching(/^job_/)]);

    const events: ClientEvent[] = [];
    const resumed = await transport.resume!(jobs[0]!, { signal: new AbortController().signal, onEvent: (event) => events.push(event) });
    expect(events.map((e) => e.image.index)).toEqual([0, 1, 2]);
    expect(resumed).toMatchObject({ model: 'doubao-seedream-4-0-250828', usage: { generated_images: 3 } });
    expect(resumed.images.map((i) => i.index)).toEqual([0, 1, 2]);
    // The same call again with its key: attaches to the finished job, no second request.
    const again = await transport.generate(request, { signal: new AbortController().signal, idempotencyKey: 'tab-1', onJob: (jobId) => jobs.push(jobId) });
    expect(again.images).toEqual(resumed.images);
    expect(jobs[1]).toBe(jobs[0]);
    expect(stack.emulator.log.generations()).toHaveLength(1);

    stack.emulator.setFaults('latency=3000');
    const pending = transport
      .generate({ prompt: 'a boat', size: SIZE }, { signal: new AbortController().signal, idempotencyKey: 'tab-2' })
      .catch((error: unknown) => error);
    await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt === undefined, 3000);
    await transport.cancel!({ idempotencyKey: 'tab-2' });
    expect(await pending).toMatchObject({ kind: 'aborted' });
    expect((await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.aborted === true, 5000)).status).toBe(499);
    const unknown = await transport.resume!(`job_${'B'.repeat(32)}`, { signal: new AbortController().signal }).catch((error: unknown) => error);
    expect(unknown).toMatchObject({ kind: 'not_found' });
  });
});
