/**
 * The behaviour suite of @seedream-kit/react's `useSeedream` (packages/react/test/use-seedream.test.tsx), for
 * any binding: last call wins, abort, streaming image by image, unmounting, the provider, and every error kind
 * of core's CLIENT_ERROR_KINDS, over the HTTP transport and the GraphQL transport, against the real route and
 * GraphQL server on the real emulator (see stack.ts). Runs in the DOM environment of this package.
 *
 * A binding's test file gives a driver that mounts its fixture component (one per framework, same markup: see
 * `FixtureProps` and `FIXTURE_MARKUP`); everything else is here, so every binding passes the same assertions.
 */
import { CLIENT_ERROR_KINDS, validateParams, type SeedreamClientErrorKind } from '@seedream-kit/core';
import { createHttpTransport } from '@seedream-kit/core/http';
import type { ClientValidator, SeedreamCallbacks } from '@seedream-kit/core/store';
import type { ClientGenerateParams, ClientResult, SeedreamTransport } from '@seedream-kit/core/transport';
import { renderPlaceholder } from '@seedream-kit/emulator';
import { createGraphQLTransport } from '@seedream-kit/graphql/transport';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DENY_HEADER, FAKE_KEY, MAX_BODY_BYTES, MAX_IMAGES_PER_OPERATION, startStack, type Stack } from './stack.js';

/** What the fixture passes to the binding (`abortOnUnmount` is the framework's `abortOnDispose` / `abortOnDestroy`). */
export interface FixtureOptions extends SeedreamCallbacks {
  transport?: SeedreamTransport;
  validate?: ClientValidator;
  abortOnUnmount?: boolean;
}

/**
 * The fixture component's props. Markup (see FIXTURE_MARKUP): the state as text, and buttons `go` (`generate(params)`),
 * `second` (`generate(second)`), `async` (`generateAsync(params)`, its outcome to `onResult`), `abort`, `reset`.
 * With `provide`, the fixture sits under the framework's provider given those values.
 */
export interface FixtureProps {
  params: ClientGenerateParams;
  second?: ClientGenerateParams;
  options?: FixtureOptions;
  provide?: { transport?: SeedreamTransport; validate?: ClientValidator };
  onResult?: (outcome: { result?: ClientResult; error?: unknown }) => void;
}

/** The text each `data-testid` of the fixture shows. */
export const FIXTURE_MARKUP = {
  status: 'status',
  flags: 'the five flags as 0/1, in order isIdle isPending isStreaming isSuccess isError',
  count: 'images.length',
  prompt: "variables?.prompt ?? ''",
  generated: "usage?.generated_images ?? ''",
  error: "when there is an error: kind|status|retryAfter|paths of its fields joined by ',' (each part '' when absent), else ''",
  image: 'one <img data-testid="image" src={image.url}> per image',
} as const;

export interface BindingDriver {
  /** e.g. `vue 3.5.45` */
  name: string;
  mount(props: FixtureProps): { unmount(): void };
}

export type TransportName = 'http' | 'graphql';
const BOTH: TransportName[] = ['http', 'graphql'];

/** How long `vi.waitFor` waits for the DOM to follow a call on the stack, and how often it looks. */
export const WAIT = { timeout: 8000, interval: 20 };

export const ONE = { prompt: 'a paper boat', size: '1024x1024' } satisfies ClientGenerateParams;
export const THREE = {
  prompt: 'a series of 3 images of a lighthouse',
  size: '1024x1024',
  sequential_image_generation: 'auto',
  stream: true,
} satisfies ClientGenerateParams;

const FLAGS: Record<string, string> = { idle: '10000', pending: '01000', streaming: '00100', success: '00010', error: '00001' };
/** What the fixture shows for an error of a kind over HTTP: `kind|status|retryAfter|fields`, the status being the kind's. */
const shown = (kind: SeedreamClientErrorKind, retryAfter = '', fields = '') => `${kind}|${CLIENT_ERROR_KINDS[kind].status}|${retryAfter}|${fields}`;

interface ErrorCase {
  /** How to provoke it: an upstream fault, other params, request headers, a server that is not there, or abort(). */
  fault?: string;
  params?: ClientGenerateParams;
  /** Other params over GraphQL, where the same failure has another cause. */
  graphqlParams?: ClientGenerateParams;
  headers?: Record<string, string>;
  dead?: boolean;
  /** The route's job store fails while the call is made. */
  storeDown?: boolean;
  /** After the first image: `abort()`, or the server shutting its jobs down. */
  afterFirstImage?: 'abort' | 'interrupt';
  /** What the fixture shows over HTTP (the route's kind and status). */
  http: string;
  /** The kind over GraphQL, whose server maps some upstream failures more coarsely (graphql README, "Errors");
   *  null for a failure of the route's jobs, which the GraphQL server does not run. */
  graphql: SeedreamClientErrorKind | null;
  /** Images kept after the failure. */
  count?: string;
}

/** One case per kind of CLIENT_ERROR_KINDS (asserted below: a new kind fails this suite until it has one). */
export const ERROR_CASES: Record<SeedreamClientErrorKind, ErrorCase> = {
  bad_request: { fault: 'status=400', http: shown('bad_request'), graphql: 'validation' },
  validation: { params: { ...ONE, size: '5x5' }, http: shown('validation', '', 'size'), graphql: 'validation' },
  authentication: { fault: 'status=401', http: shown('authentication'), graphql: 'upstream' },
  permission: { headers: { [DENY_HEADER]: '1' }, http: shown('permission'), graphql: 'permission' },
  not_found: { fault: 'status=404', http: shown('not_found'), graphql: 'validation' },
  // Over HTTP a body over the policy's cap (413); over GraphQL more images than one operation may ask for. (A body
  // over the cap reaches Node's fetch as `network`: the GraphQL server answers 413 before reading it and closes.)
  limit_exceeded: {
    params: { ...ONE, image: `data:image/png;base64,${'A'.repeat(MAX_BODY_BYTES + 1024)}` },
    graphqlParams: { ...ONE, sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: MAX_IMAGES_PER_OPERATION + 1 } },
    http: shown('limit_exceeded'),
    graphql: 'limit_exceeded',
  },
  rate_limit: { fault: 'status=429,retry-after=5', http: shown('rate_limit', '5'), graphql: 'rate_limit' },
  content_policy: { fault: 'status=400,code=InputImageSensitiveContentDetected', http: shown('content_policy'), graphql: 'content_policy' },
  upstream: { fault: 'status=500', http: shown('upstream'), graphql: 'upstream' },
  timeout: { fault: 'stall-stream=1', params: THREE, http: shown('timeout'), graphql: 'timeout', count: '1' },
  network: { dead: true, http: 'network|||', graphql: 'network' },
  aborted: { fault: 'latency=400', params: THREE, afterFirstImage: 'abort', http: 'aborted|||', graphql: 'aborted', count: '1' },
  interrupted: { fault: 'latency=400', params: THREE, afterFirstImage: 'interrupt', http: shown('interrupted'), graphql: null, count: '1' },
  unavailable: { storeDown: true, http: shown('unavailable'), graphql: null },
};

/** More failures of the React suite: a kind that arrives in the middle of a stream, keeping what came before. */
const STREAM_CASES: Array<[title: string, fault: string, http: string, graphql: SeedreamClientErrorKind, count: string]> = [
  [
    'a streamed request refused upstream → rate_limit with retryAfter, from the SSE error event',
    'status=429,retry-after=6',
    shown('rate_limit', '6'),
    'rate_limit',
    '0',
  ],
  ['a stream that fails mid-way → upstream, keeping the image that arrived', 'stream-error=1', shown('upstream'), 'upstream', '1'],
];

export function describeBindingSuite(driver: BindingDriver): void {
  let stack: Stack;
  let mounted: { unmount(): void } | undefined;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(() => {
    stack.setJobStoreDown(false);
    stack.faults.length = 0;
    stack.emulator.log.clear();
  });
  afterEach(() => {
    mounted?.unmount();
    mounted = undefined;
    document.body.innerHTML = '';
  });

  const transport = (name: TransportName, headers?: Record<string, string>, fetch?: typeof globalThis.fetch) =>
    name === 'http'
      ? createHttpTransport({ url: stack.routeUrl, ...(headers && { headers }), ...(fetch && { fetch }) })
      : createGraphQLTransport({ url: stack.graphqlUrl, ...(headers && { headers }), ...(fetch && { fetch }) });
  const mount = (props: FixtureProps) => {
    mounted = driver.mount(props);
    return mounted;
  };
  const element = (id: string) => {
    const found = document.querySelector(`[data-testid="${id}"]`);
    if (!found) throw new Error(`no [data-testid="${id}"] in ${document.body.innerHTML}`);
    return found;
  };
  const text = (id: string) => element(id).textContent?.trim() ?? '';
  const click = (name: string) => {
    const button = [...document.querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === name);
    if (!button) throw new Error(`no button "${name}" in ${document.body.innerHTML}`);
    button.click();
  };
  const until = (id: string, expected: string) => vi.waitFor(() => expect(text(id)).toBe(expected), WAIT);
  const untilState = (state: string) => vi.waitFor(() => expect(`${text('status')}:${text('count')}`).toBe(state), WAIT);

  describe(`${driver.name}: useSeedream against a real route, GraphQL server and emulator`, () => {
    it.each(BOTH)("%s, the provider's transport: idle → pending → success, one request, flags following status", async (name) => {
      stack.faults.push('latency=300');
      mount({ params: ONE, provide: { transport: transport(name) } });
      expect(text('status')).toBe('idle');
      expect(text('flags')).toBe(FLAGS.idle);
      click('go');
      await until('status', 'pending');
      expect(text('flags')).toBe(FLAGS.pending);
      expect(text('prompt')).toBe(ONE.prompt);
      await until('status', 'success');
      expect(text('flags')).toBe(FLAGS.success);
      expect(text('count')).toBe('1');
      expect(text('generated')).toBe('1');
      expect(stack.emulator.log.generations()).toHaveLength(1);
    });

    it.each(BOTH)('%s: streams a sequential generation, the images arriving one by one before success', async (name) => {
      stack.faults.push('latency=300');
      mount({ params: THREE, options: { transport: transport(name) } });
      click('go');
      await untilState('streaming:1');
      expect(text('flags')).toBe(FLAGS.streaming);
      await untilState('streaming:2');
      await untilState('success:3');
      expect(text('generated')).toBe('3');
    });

    it.each(BOTH)('%s: abort() mid-stream keeps the images, and the emulator sees the client leave', async (name) => {
      stack.faults.push('latency=500');
      mount({ params: THREE, options: { transport: transport(name) } });
      click('go');
      await until('count', '1');
      click('abort');
      await until('error', 'aborted|||');
      expect(text('count')).toBe('1');
      const entry = await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.aborted === true, 4000);
      expect(entry.imagesGenerated).toBeLessThan(3);
    });

    it.each(BOTH)('%s: the last call wins under out-of-order latencies', async (name) => {
      stack.faults.push('latency=1500', 'latency=0');
      mount({ params: { ...ONE, prompt: 'slow first' }, second: { ...ONE, prompt: 'fast second' }, options: { transport: transport(name) } });
      click('go');
      await stack.emulator.log.waitFor((e) => e.kind === 'generation');
      click('second');
      await until('status', 'success');
      expect(text('prompt')).toBe('fast second');
      // The first request was cancelled, and whatever it does later cannot overwrite the second's state.
      const first = await stack.emulator.log.waitFor(
        (e) => (e.body as { prompt?: string } | undefined)?.prompt === 'slow first' && e.endedAt !== undefined,
        4000,
      );
      expect(first.aborted).toBe(true);
      expect(`${text('status')}:${text('prompt')}:${text('count')}`).toBe('success:fast second:1');
    });

    it.each(BOTH)('%s: unmounting aborts the request in flight, without calling back', async (name) => {
      stack.faults.push('latency=1500');
      const onSettled = vi.fn();
      const view = mount({ params: ONE, options: { transport: transport(name), onSettled } });
      click('go');
      await stack.emulator.log.waitFor((e) => e.kind === 'generation');
      view.unmount();
      mounted = undefined;
      const entry = await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 4000);
      expect(entry.aborted).toBe(true);
      expect(onSettled).not.toHaveBeenCalled();
    });

    it('abortOnUnmount: false lets the request finish and still calls back', async () => {
      stack.faults.push('latency=400');
      const onSuccess = vi.fn();
      const view = mount({ params: ONE, options: { transport: transport('http'), onSuccess, abortOnUnmount: false } });
      click('go');
      await stack.emulator.log.waitFor((e) => e.kind === 'generation');
      view.unmount();
      mounted = undefined;
      await vi.waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1), WAIT);
      expect(stack.emulator.log.generations()[0]!.aborted).toBeFalsy();
    });

    it.each(BOTH)('%s: generateAsync resolves to the result, and onImage fires once per streamed image, in order', async (name) => {
      const images: number[] = [];
      const outcomes: Array<{ result?: ClientResult; error?: unknown }> = [];
      mount({
        params: THREE,
        options: { transport: transport(name), onImage: (image) => images.push(image.index) },
        onResult: (outcome) => outcomes.push(outcome),
      });
      click('async');
      await vi.waitFor(() => expect(outcomes).toHaveLength(1), WAIT);
      expect(outcomes[0]!.error).toBeUndefined();
      expect(outcomes[0]!.result?.images).toHaveLength(3);
      expect(outcomes[0]!.result?.usage?.generated_images).toBe(3);
      expect(images).toEqual([0, 1, 2]);
      await untilState('success:3');
    });

    it('generateAsync rejects with the aborted error when a newer call replaces it', async () => {
      stack.faults.push('latency=1500');
      const outcomes: Array<{ result?: ClientResult; error?: unknown }> = [];
      mount({ params: ONE, second: { ...ONE, prompt: 'newer' }, options: { transport: transport('http') }, onResult: (outcome) => outcomes.push(outcome) });
      click('async');
      await stack.emulator.log.waitFor((e) => e.kind === 'generation');
      click('second');
      await vi.waitFor(() => expect(outcomes).toHaveLength(1), WAIT);
      expect(outcomes[0]!.error).toMatchObject({ kind: 'aborted' });
      await until('prompt', 'newer');
      await until('status', 'success');
    });

    it('reset() returns to idle', async () => {
      mount({ params: ONE, options: { transport: transport('http') } });
      click('go');
      await until('status', 'success');
      click('reset');
      await untilState('idle:0');
      expect(text('flags')).toBe(FLAGS.idle);
      expect(text('prompt')).toBe('');
    });

    it('sends a File as a reference image', async () => {
      const png = await renderPlaceholder({ prompt: 'ref', width: 64, height: 64 });
      const file = new File([new Uint8Array(png)], 'ref.png'); // no declared type, as drag and drop sometimes gives
      mount({ params: { ...ONE, image: file }, options: { transport: transport('http') } });
      click('go');
      await until('status', 'success');
      expect(String((stack.emulator.log.generations()[0]!.body as { image?: unknown }).image)).toMatch(/^data:image\/png;base64,/);
    });

    it("the provider's validator refuses before any request (core validateParams), and options override the provider", async () => {
      const requests = vi.fn(globalThis.fetch);
      mount({ params: { prompt: 'a boat', size: '5x5', image: [] }, provide: { transport: transport('http', undefined, requests), validate: validateParams } });
      click('go');
      await until('status', 'error');
      expect(text('error')).toMatch(/^validation\|\|\|/);
      expect(text('error')).toContain('size');
      expect(text('error')).toContain('image');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requests).not.toHaveBeenCalled();
      expect(stack.emulator.log.entries).toHaveLength(0);

      mounted?.unmount();
      const own = vi.fn(globalThis.fetch);
      mount({ params: ONE, options: { transport: transport('graphql', undefined, own) }, provide: { transport: transport('http', undefined, requests) } });
      click('go');
      await until('status', 'success');
      expect(own).toHaveBeenCalledTimes(1);
      expect(requests).not.toHaveBeenCalled();
    });

    it('never shows the API key to the browser', async () => {
      const bodies: string[] = [];
      const recording: typeof globalThis.fetch = async (input, init) => {
        const response = await fetch(input, init);
        bodies.push(await response.clone().text());
        return response;
      };
      for (const name of BOTH) {
        stack.faults.push('status=401');
        mount({ params: ONE, options: { transport: transport(name, undefined, recording) } });
        click('go');
        await until('status', 'error');
        mounted?.unmount();
        mounted = undefined;
      }
      expect(bodies).toHaveLength(2);
      expect(bodies.join('')).not.toContain(FAKE_KEY);
      expect(bodies.join('')).not.toContain('FAKEKEY');
    });
  });

  describe(`${driver.name}: every error kind of CLIENT_ERROR_KINDS`, () => {
    it('has a case for every kind', () => {
      expect(Object.keys(ERROR_CASES).sort()).toEqual(Object.keys(CLIENT_ERROR_KINDS).sort());
    });

    const cases = Object.entries(ERROR_CASES).flatMap(([kind, testCase]) =>
      BOTH.filter((name) => name === 'http' || testCase.graphql !== null).map((name) => [kind, name, testCase] as const),
    );
    it.each(cases)('%s over %s', async (_kind, name, testCase) => {
      let url: string | undefined;
      if (testCase.dead) url = await deadUrl();
      if (testCase.fault) stack.faults.push(testCase.fault);
      if (testCase.storeDown) stack.setJobStoreDown(true);
      const chosen = url ? (name === 'http' ? createHttpTransport({ url }) : createGraphQLTransport({ url })) : transport(name, testCase.headers);
      mount({ params: (name === 'graphql' && testCase.graphqlParams) || testCase.params || ONE, options: { transport: chosen } });
      click('go');
      if (testCase.afterFirstImage) {
        await until('count', '1');
        if (testCase.afterFirstImage === 'abort') click('abort');
        else await stack.interruptJobs();
      }
      await until('status', 'error');
      stack.setJobStoreDown(false);
      expect(text('flags')).toBe(FLAGS.error);
      if (name === 'http') expect(text('error')).toBe(testCase.http);
      else expect(text('error').split('|')[0]).toBe(testCase.graphql);
      expect(text('count')).toBe(testCase.count ?? '0');
      if (testCase.fault === 'status=429,retry-after=5') expect(text('error').split('|')[2]).toBe('5');
    });

    const streamCases = STREAM_CASES.flatMap(([title, fault, httpShown, graphqlKind, count]) =>
      BOTH.map((name) => [title, name, fault, httpShown, graphqlKind, count] as const),
    );
    it.each(streamCases)('%s (%s)', async (_title, name, fault, httpShown, graphqlKind, count) => {
      stack.faults.push(fault);
      mount({ params: THREE, options: { transport: transport(name) } });
      click('go');
      await until('status', 'error');
      if (name === 'http') expect(text('error')).toBe(httpShown);
      else expect(text('error').split('|')[0]).toBe(graphqlKind);
      expect(text('count')).toBe(count);
    });
  });
}

/** The URL of a loopback port that nothing listens on any more. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/api/seedream`;
}
