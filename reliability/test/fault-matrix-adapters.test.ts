/**
 * What the generic matrix (test/fault-matrix.test.ts, which runs every channel of CHANNELS) cannot see through a
 * transport: the adapters' own wire answers per fault (the route's `kind` and status, GraphQL's
 * `extensions.code`) checked against ADAPTER_ERRORS in fixtures/channels.mjs (each adapter's kind per core class;
 * statuses and codes from core's CLIENT_ERROR_KINDS); every case at once on ONE shared server per adapter
 * (faults routed per call, nothing crossed, each sent once); retries configured on the server's core client (only
 * 429s repeated); and aborting from the browser side, which must abort the upstream request and keep the images
 * already received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { createHttpTransport, isSeedreamClientError } from '@seedream-kit/react';
import { createGraphQLTransport } from '@seedream-kit/graphql/transport';
import { ADAPTER_ERRORS, coreClassesFor, graphqlChannel, httpRouteChannel, startGraphQLServer, startRouteServer, type Served } from '../fixtures/channels.mjs';
import {
  FAULTS,
  HANG_GUARD,
  checkOutcome,
  entriesOf,
  expectationFor,
  requestFor,
  settlesWithin,
  type FaultCase,
  type Mode,
} from '../fixtures/fault-matrix.mjs';
import { collectUnhandledRejections } from './unhandled-rejections.js';

const unhandled = collectUnhandledRejections();
let emu: Emulator;
let route: Served;
let graphql: Served;
let calls = 0;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  route = await startRouteServer(emu);
  graphql = await startGraphQLServer(emu);
});
afterAll(async () => {
  await route.close();
  await graphql.close();
  await emu.close();
});

const headersFor = (testCase: FaultCase, tag: string) => ({ 'x-reliability-call': tag, ...(testCase.fault ? { 'x-emulator-fault': testCase.fault } : {}) });
const errorCases = FAULTS.filter((testCase) => !testCase.json.ok).map((testCase): [string, FaultCase] => [testCase.name, testCase]);

describe.concurrent('the wire answers match the mapping table (JSON mode, raw HTTP)', () => {
  it.each(errorCases)('%s: the route answers the mapped kind and its status', async (_name, testCase) => {
    const expected = testCase.json as { kind: string };
    const tag = `adapters-wire-${++calls}`;
    const response = await fetch(route.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersFor(testCase, tag) },
      body: JSON.stringify(requestFor('json')),
    });
    const body = (await response.json()) as { error: { kind: string; status: number; requestId?: string } };
    expect(body.error.kind).toBe(ADAPTER_ERRORS[expected.kind]!.route);
    expect(body.error.status).toBe(ADAPTER_ERRORS[expected.kind]!.status);
    expect(response.status).toBe(body.error.status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(entriesOf(emu, tag)).toHaveLength(1);
  });

  it.each(errorCases)('%s: GraphQL answers the mapped extensions.code', async (_name, testCase) => {
    const expected = testCase.json as { kind: string };
    const tag = `adapters-wire-${++calls}`;
    const input = { model: 'doubao-seedream-4-0-250828', prompt: 'a series of 3 images of a quiet harbour', size: '1K', sequential: true, watermark: false };
    const response = await fetch(graphql.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headersFor(testCase, tag) },
      body: JSON.stringify({ query: 'mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { images { index } } }', variables: { input } }),
    });
    const body = (await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual([ADAPTER_ERRORS[expected.kind]!.graphql]);
    expect(entriesOf(emu, tag)).toHaveLength(1);
  });
});

type Name = 'http-route' | 'graphql';
const transportFor = (name: Name, headers: Record<string, string>) =>
  name === 'http-route' ? createHttpTransport({ url: route.url, headers }) : createGraphQLTransport({ url: graphql.url, headers });

describe.each<[Name]>([['http-route'], ['graphql']])('%s: every case at once on one shared server', (name) => {
  it('each call gets its own fault, settles as expected, and is sent exactly once', async () => {
    const modes: Mode[] = ['json', 'stream'];
    const runs = FAULTS.flatMap((testCase) =>
      modes.map(async (mode) => {
        const tag = `adapters-shared-${name}-${++calls}`;
        const transport = transportFor(name, headersFor(testCase, tag));
        const call = transport.generate(requestFor(mode) as never, { signal: new AbortController().signal }).then(
          (result) => ({
            ok: true as const,
            images: result.images.filter((image) => !image.error).length,
            failedSlots: result.images.filter((image) => image.error).length,
          }),
          (error: { kind?: string; partialResult?: { images: Array<{ error?: unknown }> } }) => ({
            ok: false as const,
            kind: String(error?.kind),
            kinds: coreClassesFor(name, String(error?.kind)),
            partialImages: (error?.partialResult?.images ?? []).filter((image) => !image.error).length,
            error,
          }),
        );
        return { label: `${testCase.name} (${mode})`, testCase, mode, tag, settled: await settlesWithin(call, HANG_GUARD) };
      }),
    );
    for (const { label, testCase, mode, tag, settled } of await Promise.all(runs)) {
      expect(settled.hung, label).toBe(false);
      if (settled.hung) continue;
      const outcome = settled.value;
      if (!outcome.ok) expect(isSeedreamClientError(outcome.error), label).toBe(true);
      expect([label, checkOutcome(outcome, expectationFor(testCase, mode))]).toEqual([label, []]);
      expect([label, entriesOf(emu, tag).length]).toEqual([label, 1]);
    }
  });
});

describe.each<[Name]>([['http-route'], ['graphql']])("%s with retries on the server's core client (maxRetries 1)", (name) => {
  it('repeats only the 429s, never a request that may have been billed', async () => {
    const channel = name === 'http-route' ? httpRouteChannel : graphqlChannel;
    const runs = FAULTS.map(async (testCase) => {
      const tag = `adapters-retry-${name}-${++calls}`;
      const settled = await settlesWithin(channel.run(emu, testCase, 'json', { tag, client: { maxRetries: 1, retry: { initialDelay: 50 } } }), HANG_GUARD);
      return { testCase, tag, settled };
    });
    for (const { testCase, tag, settled } of await Promise.all(runs)) {
      expect(settled.hung, testCase.name).toBe(false);
      if (settled.hung) continue;
      expect([testCase.name, checkOutcome(settled.value, expectationFor(testCase, 'json'))]).toEqual([testCase.name, []]);
      expect([testCase.name, entriesOf(emu, tag).length]).toEqual([testCase.name, /status=429/.test(testCase.fault) ? 2 : 1]);
    }
  });
});

// A generation is a job on the server: a caller that only leaves keeps it running (resume by id). Aborting, as
// the store of `useSeedream` does it, is both: abort the call, and `transport.cancel` its job (by id once it is
// known, else by the call's idempotency key).
describe.each<[Name]>([['http-route'], ['graphql']])('%s: aborting from the browser side', (name) => {
  const abortAndCancel = (transport: ReturnType<typeof transportFor>, controller: AbortController, job: { jobId?: string; idempotencyKey: string }) => {
    controller.abort();
    return transport.cancel?.(job);
  };
  it.each<[string, 'json' | 'stream', string]>([
    ['a JSON call aborted while the upstream works', 'json', 'latency=3000'],
    ['a stream aborted before its first image (upstream still silent)', 'stream', 'slow-headers=1200'],
  ])('%s: rejects as "aborted", and the upstream request is aborted', async (_title, mode, fault) => {
    const tag = `adapters-abort-${name}-${++calls}`;
    const controller = new AbortController();
    const transport = transportFor(name, { 'x-reliability-call': tag, 'x-emulator-fault': fault });
    const job: { jobId?: string; idempotencyKey: string } = { idempotencyKey: tag };
    const pending = transport
      .generate(requestFor(mode) as never, { signal: controller.signal, idempotencyKey: tag, onJob: (jobId) => (job.jobId = jobId) })
      .catch((error: unknown) => error);
    await emu.log.waitFor((entry) => entry.headers['x-reliability-call'] === tag, 5_000);
    await abortAndCancel(transport, controller, job);
    const settled = await settlesWithin(pending, HANG_GUARD);
    expect(settled.hung).toBe(false);
    if (settled.hung) return;
    expect(settled.value).toMatchObject({ kind: 'aborted' });
    const entry = await emu.log.waitFor((candidate) => candidate.headers['x-reliability-call'] === tag && candidate.endedAt !== undefined, 9_000);
    expect(entry.aborted).toBe(true);
    expect(entriesOf(emu, tag)).toHaveLength(1);
  });

  it('a stream aborted after its first image: rejects as "aborted" keeping that image, and the upstream stream is aborted', async () => {
    const tag = `adapters-abort-${name}-${++calls}`;
    const controller = new AbortController();
    const transport = transportFor(name, { 'x-reliability-call': tag, 'x-emulator-fault': 'stall-stream=1' });
    const job: { jobId?: string; idempotencyKey: string } = { idempotencyKey: tag };
    let cancelled: Promise<void> | undefined;
    const pending = transport
      .generate(requestFor('stream') as never, {
        signal: controller.signal,
        idempotencyKey: tag,
        onJob: (jobId) => (job.jobId = jobId),
        onEvent: () => (cancelled = abortAndCancel(transport, controller, job)),
      })
      .catch((error: unknown) => error);
    const settled = await settlesWithin(pending, HANG_GUARD);
    expect(settled.hung).toBe(false);
    if (settled.hung) return;
    expect(settled.value).toMatchObject({ kind: 'aborted' });
    expect((settled.value as { partialResult?: { images: unknown[] } }).partialResult?.images).toHaveLength(1);
    await cancelled;
    const entry = await emu.log.waitFor((candidate) => candidate.headers['x-reliability-call'] === tag && candidate.endedAt !== undefined, 9_000);
    expect(entry.aborted).toBe(true);
    expect(entriesOf(emu, tag)).toHaveLength(1);
  });
});

describe('unhandled rejections', () => {
  it('none was raised by any adapter call in this file', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
});
