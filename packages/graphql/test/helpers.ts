import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSeedream } from '@seedream-kit/core';
import type { SeedreamOptions } from '@seedream-kit/core';
import { startEmulator } from '@seedream-kit/emulator';
import type { Emulator, EmulatorOptions } from '@seedream-kit/emulator';
import { createSpendingPolicy, type SpendingPolicyOptions } from '@seedream-kit/core/server';
import { createSeedreamYoga } from '../src/yoga.js';
import type { SeedreamYogaOptions } from '../src/yoga.js';

/** A recognisable fake key: no answer, message or log line may ever contain it. */
export const FAKE_KEY = 'sk-FAKE-graphql-test-key-7f3a9c2e41';
export const MODEL = 'doubao-seedream-4-0-250828';
export const SIZE = '1024x1024';

export interface Stack {
  emulator: Emulator;
  yoga: ReturnType<typeof createSeedreamYoga>;
  /** Served endpoint over a real port, e.g. http://127.0.0.1:1234/graphql */
  url: string;
  server: http.Server;
  /** In-process request (yoga.fetch). */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

export async function startStack(
  options: {
    emulator?: EmulatorOptions;
    client?: SeedreamOptions;
    /** Yoga options; `policy` is a partial of the policy's options (the rest are this stack's defaults). */
    yoga?: Partial<Omit<SeedreamYogaOptions, 'policy'>> & { policy?: Partial<SpendingPolicyOptions> };
  } = {},
): Promise<Stack> {
  const emulator = await startEmulator(options.emulator);
  const client = createSeedream({ baseURL: emulator.baseURL, apiKey: FAKE_KEY, model: MODEL, ...options.client });
  const { policy, ...yogaOptions } = options.yoga ?? {};
  const yoga = createSeedreamYoga({
    client,
    // Every query and mutation compiled from its first run, so the suites test the form a busy server runs
    // (jit.test.ts compares it with graphql-js's answers).
    jit: { after: 0 },
    ...yogaOptions,
    // Budgets are tested on their own; here every test may spend freely.
    policy: createSpendingPolicy({ authorize: () => true, budget: false, limits: { maxImagesPerRequest: 15, maxBodyBytes: 25_000_000 }, ...policy }),
    yoga: { logging: false, ...yogaOptions.yoga },
  });
  const server = http.createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    emulator,
    yoga,
    url,
    server,
    async gql(query, variables, headers = {}) {
      const response = await yoga.fetch('http://yoga.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text), text };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
}

export interface SseEvent {
  event: string;
  data: any;
  /** performance.now() when the block was parsed. */
  at: number;
}

/** POSTs a subscription with accept: text/event-stream and collects the events as they arrive. */
export async function subscribe(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  init: { signal?: AbortSignal; onEvent?: (event: SseEvent) => void; headers?: Record<string, string> } = {},
): Promise<SseEvent[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...init.headers },
    body: JSON.stringify({ query, variables }),
    signal: init.signal,
  });
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) throw new Error(`not SSE: ${response.status} ${await response.text()}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trim());
      }
      if (!data.length && event === 'message') continue;
      const parsed: SseEvent = { event, data: data.length && data.join('') ? JSON.parse(data.join('\n')) : null, at: performance.now() };
      events.push(parsed);
      init.onEvent?.(parsed);
    }
  }
  return events;
}

export const IMAGE_FIELDS = 'index url b64Json size width height outputFormat error { code message }';
const RESULT_FIELDS = `jobId images { ${IMAGE_FIELDS} } usage { generatedImages outputTokens totalTokens inputImages webSearches } model created requestId`;
export const MUTATION = `mutation ($input: GenerateImagesInput!, $key: String) { generateImages(input: $input, idempotencyKey: $key) { ${RESULT_FIELDS} } }`;
const EVENT_FIELDS = `__typename jobId model created ... on ImageGenerated { image { ${IMAGE_FIELDS} } } ... on ImageFailed { image { ${IMAGE_FIELDS} } } ... on GenerationCompleted { usage { generatedImages outputTokens totalTokens } requestId }`;
export const SUBSCRIPTION = `subscription ($input: GenerateImagesInput!, $key: String) { imageGeneration(input: $input, idempotencyKey: $key) { ${EVENT_FIELDS} } }`;
export const RESUME = `subscription ($id: ID!) { resumeGeneration(jobId: $id) { ${EVENT_FIELDS} } }`;
const JOB_FIELDS = `id state images { ${IMAGE_FIELDS} } result { ${RESULT_FIELDS} } error { code message requestId retryAfter }`;
export const JOB = `query ($id: ID!) { generationJob(id: $id) { ${JOB_FIELDS} } }`;
export const CANCEL = `mutation ($id: ID, $key: String) { cancelGeneration(jobId: $id, idempotencyKey: $key) { ${JOB_FIELDS} } }`;
