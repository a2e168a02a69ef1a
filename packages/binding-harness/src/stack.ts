/**
 * The real server side of a binding's tests, on loopback: the emulator, a core client holding a recognisable fake
 * key, the route of `@seedream-kit/react/server` at `/api/seedream` and the GraphQL API of
 * `@seedream-kit/graphql/yoga` at `/graphql`, on one node:http server that can also serve a built app (same
 * origin, so the app's transports use relative URLs). `faults` queues an `x-emulator-fault` per upstream request.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { createSeedream } from '@seedream-kit/core';
import { MemoryJobStore, createJobs, createSpendingPolicy, type SeedreamJobs } from '@seedream-kit/core/server';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { createSeedreamYoga } from '@seedream-kit/graphql/yoga';
import { createSeedreamRoute, toNodeHandler } from '@seedream-kit/react/server';

// Assembled so that no file holds a key-shaped string.
export const FAKE_KEY = ['sk', 'FAKEKEY', 'binding', 'must', 'not', 'leak', '0123456789'].join('-');
export const MODEL = 'doubao-seedream-4-0-250828';
/** The server's stream idle timeout: a stalled stream becomes `timeout` after this long. */
export const STREAM_IDLE_TIMEOUT = 2000;
/** The policy's body cap: a larger body is `limit_exceeded` (413). */
export const MAX_BODY_BYTES = 256 * 1024;
/** The GraphQL server's images per operation: a group asking for more is `limit_exceeded`. */
export const MAX_IMAGES_PER_OPERATION = 8;
/** A request carrying this header is refused by the policy's `authorize` (`permission`, 403). */
export const DENY_HEADER = 'x-test-deny';

export interface Stack {
  emulator: Emulator;
  origin: string;
  routeUrl: string;
  graphqlUrl: string;
  /** One fault spec per upstream request, taken in order. */
  faults: string[];
  /** What the route and the resolvers reported through `onError`. */
  errors: unknown[];
  /** Makes the route's job store fail (`unavailable`) or work again. */
  setJobStoreDown(down: boolean): void;
  /** Shuts the route's jobs down at once (running ones end `interrupted`), then serves with fresh ones. */
  interruptJobs(): Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

export async function startStack(options: { staticDir?: string } = {}): Promise<Stack> {
  const emulator = await startEmulator();
  const faults: string[] = [];
  const errors: unknown[] = [];
  const realFetch = globalThis.fetch;
  const client = createSeedream({
    baseURL: emulator.baseURL,
    apiKey: FAKE_KEY,
    model: MODEL,
    streamIdleTimeout: STREAM_IDLE_TIMEOUT,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      const fault = faults.shift();
      if (fault) headers.set('x-emulator-fault', fault);
      return realFetch(input, { ...init, headers });
    },
  });
  const policy = createSpendingPolicy({
    authorize: (request) => (request.headers.get(DENY_HEADER) ? false : 'tester'),
    limits: { maxImagesPerRequest: 15, maxBodyBytes: MAX_BODY_BYTES },
    budget: false,
  });
  const onError = (error: unknown) => errors.push(error);
  // The route's jobs on a store that can be made to fail, and replaced after a shutdown.
  let down = false;
  const memory = new MemoryJobStore();
  const jobStore = new Proxy(memory, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (down ? Promise.reject(new Error('the job store is down (test)')) : value.apply(target, args));
    },
  });
  const routeFor = (jobs: SeedreamJobs) => toNodeHandler(createSeedreamRoute({ client, policy, onError, jobs }));
  let jobs = createJobs({ client, store: jobStore, onError });
  let route = routeFor(jobs);
  const yoga = createSeedreamYoga({
    client,
    policy,
    limits: { maxImagesPerOperation: MAX_IMAGES_PER_OPERATION },
    yoga: { graphqlEndpoint: '/graphql', logging: false },
  });

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/api/seedream' || path.startsWith('/api/seedream/')) return void route(req, res);
    if (path === '/graphql') return void yoga(req, res);
    if (!options.staticDir || req.method !== 'GET') {
      res.statusCode = 404;
      return void res.end();
    }
    const file = join(options.staticDir, normalize(path === '/' ? '/index.html' : path));
    readFile(file).then(
      (body) => {
        res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
        res.end(body);
      },
      () => {
        res.statusCode = 404;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    emulator,
    origin,
    routeUrl: `${origin}/api/seedream`,
    graphqlUrl: `${origin}/graphql`,
    faults,
    errors,
    setJobStoreDown(value) {
      down = value;
    },
    async interruptJobs() {
      const stopping = jobs;
      jobs = createJobs({ client, store: jobStore, onError });
      route = routeFor(jobs);
      await stopping.shutdown({ deadlineMs: 0 });
    },
    async close() {
      await jobs.shutdown({ deadlineMs: 0 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
}
