/**
 * The server half: one core client (CometAPI with COMETAPI_KEY, else an emulator), one spending policy and one
 * route handler, created on the first request. `server-only` makes a client component that imports this file
 * fail the build, so the key (read here, at request time) can never end up in the browser bundle.
 */
import 'server-only';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeedream } from '@seedream-kit/core';
import { createFilePersistence } from '@seedream-kit/core/node';
import { createJobs, createSpendingPolicy } from '@seedream-kit/core/server';
import { createSeedreamRoute } from '@seedream-kit/react/server';

/** Where the route is mounted (`app/api/generate/[[...path]]/route.ts`): POST here, jobs under `…/jobs/*`. */
export const ROUTE_PATH = '/api/generate';

export type UpstreamMode = 'emulator' | 'cometapi';

/** What the page may say about the upstream: never the key, never a URL with credentials. */
export function upstreamMode(): UpstreamMode {
  return process.env.COMETAPI_KEY ? 'cometapi' : 'emulator';
}

interface Upstream {
  client: ReturnType<typeof createSeedream>;
  /** The emulator's origin when images come from one on loopback (plain http, so the downloader must allow it). */
  emulatorOrigin: string | undefined;
}

async function connectUpstream(): Promise<Upstream> {
  const apiKey = process.env.COMETAPI_KEY;
  const baseURL = process.env.COMETAPI_BASE_URL;
  if (apiKey) return { client: createSeedream({ apiKey, ...(baseURL ? { baseURL } : {}) }), emulatorOrigin: undefined };
  // No key: an emulator already running (SEEDREAM_EMULATOR_URL), else one started in this process on a free
  // loopback port. Either way nothing leaves the machine, and the emulator accepts any non-empty key.
  let origin = process.env.SEEDREAM_EMULATOR_URL ? new URL(process.env.SEEDREAM_EMULATOR_URL).origin : undefined;
  if (!origin) {
    const { startEmulator } = await import('@seedream-kit/emulator');
    const latency = Number(process.env.SEEDREAM_EMULATOR_LATENCY ?? 300);
    const emulator = await startEmulator({ host: '127.0.0.1', port: 0, latency: Number.isFinite(latency) ? latency : 300 });
    origin = emulator.url;
    console.log(`[next-example] no COMETAPI_KEY: images come from the in-process emulator at ${origin}`);
  }
  return { client: createSeedream({ apiKey: 'emulator-key', baseURL: `${origin}/v1` }), emulatorOrigin: origin };
}

/** Loopback names, plus SEEDREAM_ALLOWED_HOSTS (comma-separated host names) for a real deployment. */
function allowedHostnames(): Set<string> {
  const extra = (process.env.SEEDREAM_ALLOWED_HOSTS ?? '').split(',').map((host) => host.trim().toLowerCase());
  return new Set(['localhost', '127.0.0.1', '[::1]', ...extra.filter(Boolean)]);
}

/**
 * The example's `authorize`: only pages of this site may spend, all from one demo budget. The Host must be one we
 * serve (no DNS rebinding), and the browser must say the request is same-origin. A real app returns its signed-in
 * user's id here instead, so that each person has a budget of their own.
 */
export function sameOriginCaller(request: Request): string | false {
  const host = request.headers.get('host')?.toLowerCase();
  if (!host) return false;
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  if (!allowedHostnames().has(hostname)) return false;
  const origin = request.headers.get('origin');
  if (origin !== null) return new URL(origin).host === host ? 'demo' : false;
  return request.headers.get('sec-fetch-site') === 'same-origin' ? 'demo' : false;
}

type Handler = (request: Request) => Promise<Response>;

let handler: Promise<Handler> | undefined;

async function createHandler(): Promise<Handler> {
  const { client, emulatorOrigin } = await connectUpstream();
  const policy = createSpendingPolicy({
    authorize: sameOriginCaller,
    models: ['doubao-seedream-4-0-250828'],
    limits: { maxImagesPerRequest: 4, maxReferenceImages: 0 },
  });
  // Every image is stored before the page sees it and served from this route (`…/jobs/<id>/images/<i>`).
  const jobs = createJobs({
    client,
    persist: createFilePersistence({
      directory: process.env.SEEDREAM_IMAGE_DIR ?? join(tmpdir(), 'seedream-next-example-images'),
      url: (id, index) => `${ROUTE_PATH}/jobs/${id}/images/${index}`,
      ...(emulatorOrigin ? { download: { allowHttp: true, allowPrivateNetwork: ['127.0.0.1', '::1'] } } : {}),
    }),
    onError: (error) => console.error('[next-example] job:', error instanceof Error ? error.message : error),
  });
  return createSeedreamRoute({
    client,
    policy,
    jobs,
    onError: (error) => console.error('[next-example] route:', error instanceof Error ? error.message : error),
  });
}

/** The route handler: the same function answers POST (generate), GET and DELETE (the jobs). */
export async function seedreamRoute(request: Request): Promise<Response> {
  handler ??= createHandler().catch((error) => {
    handler = undefined; // try again on the next request
    throw error;
  });
  return (await handler)(request);
}
