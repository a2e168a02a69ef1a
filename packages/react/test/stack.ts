/**
 * A real stack on loopback: the emulator, a core client holding a recognisable fake key, the route, and a
 * node:http server (through toNodeHandler). `faults` queues an `x-emulator-fault` header per upstream request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSeedream, type SeedreamOptions } from '@seedream-kit/core';
import { startEmulator, type Emulator, type EmulatorOptions } from '@seedream-kit/emulator';
import { createSeedreamRoute, createSpendingPolicy, toNodeHandler, type SeedreamRouteOptions, type SpendingPolicyOptions } from '../src/server.js';

/** Route options for a test: the policy as a partial of its options (the rest are this stack's defaults). */
export type StackRoute = Partial<Omit<SeedreamRouteOptions, 'policy'>> & { policy?: Partial<SpendingPolicyOptions> };

// Assembled so that no file holds a key-shaped string.
export const FAKE_KEY = ['sk', 'FAKEKEY', 'do', 'not', 'leak', '0123456789'].join('-');
export const MODEL = 'doubao-seedream-4-0-250828';

export interface Stack {
  emulator: Emulator;
  url: string;
  /** The fetch-standard route itself, for calls as a fetch-standard host makes them (no toNodeHandler). */
  handler: (request: Request) => Promise<Response>;
  faults: string[];
  errors: unknown[];
  close(): Promise<void>;
}

export async function startStack(route: StackRoute = {}, emulatorOptions: EmulatorOptions = {}, clientOptions: SeedreamOptions = {}): Promise<Stack> {
  const emulator = await startEmulator(emulatorOptions);
  const faults: string[] = [];
  const errors: unknown[] = [];
  const realFetch = globalThis.fetch;
  const client = createSeedream({
    baseURL: emulator.baseURL,
    apiKey: FAKE_KEY,
    model: MODEL,
    ...clientOptions,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      const fault = faults.shift();
      if (fault) headers.set('x-emulator-fault', fault);
      return realFetch(input, { ...init, headers });
    },
  });
  const { policy, ...rest } = route;
  const handler = createSeedreamRoute({
    client,
    onError: (error) => errors.push(error),
    ...rest,
    // Budgets are tested on their own; here every test may spend freely.
    policy: createSpendingPolicy({ authorize: () => true, limits: { maxImagesPerRequest: 15, maxBodyBytes: 16 * 1024 * 1024 }, budget: false, ...policy }),
  });
  const server = http.createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    emulator,
    url: `http://127.0.0.1:${port}/api/seedream`,
    handler,
    faults,
    errors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
