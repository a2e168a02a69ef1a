/**
 * `createSeedreamRoute`: the server half of `useSeedream`. A fetch-standard handler that fails closed: every rule
 * about spending (who, which models, how much, how often) comes from one spending policy of
 * `@seedream-kit/core/server`, the same object the GraphQL schema takes. It holds the core client (and with it
 * the key); the browser only ever sees the shapes in `@seedream-kit/core/transport`.
 */
import { decodeBase64, type ImageInput, type SeedreamClient } from '@seedream-kit/core';
import {
  createJobs,
  isIdempotencyKey,
  isSpendingPolicyError,
  requestFingerprint,
  toSpendingPolicy,
  type Caller,
  type JobEntry,
  type JobsOptions,
  type SeedreamJobs,
  type SpendingPolicy,
  type SpendingPolicyOptions,
} from '@seedream-kit/core/server';
import type { ClientResult } from '@seedream-kit/core/transport';
import { directResponse, isNodeRequest, type EventSink } from './node-direct.js';
import { pingEvery } from './pings.js';
import { errorResponse, toWireError, wireError, type WireError } from './wire-error.js';

export interface SeedreamRouteOptions {
  /** The core client that holds the key, e.g. `createSeedream()`. */
  client: Pick<SeedreamClient, 'generate' | 'model'>;
  /** Required: who may spend, on which models, how much. A `createSpendingPolicy()` object (share it with the
   *  GraphQL schema), or its options. */
  policy: SpendingPolicy | SpendingPolicyOptions;
  /** Where generations run as jobs: a `createJobs()` object (share it with the GraphQL schema), or its options.
   *  Default: jobs in this process's memory, kept when the caller disconnects. */
  jobs?: SeedreamJobs | Omit<JobsOptions, 'client'>;
  /** Sees every failure (with the full error, for your logs); the browser gets the safe shape only. */
  onError?: (error: unknown, request: Request) => void;
  /** Keep-alive comment interval of the SSE stream in ms; `0` turns pings off. Default 15 000. */
  pingInterval?: number;
}

export type SeedreamRouteHandler = (request: Request) => Promise<Response>;

/** `…/jobs`, `…/jobs/<id>` and `…/jobs/<id>/images/<index>` at the end of the route's path. */
const JOB_PATH = /\/jobs(?:\/([^/]+)(?:\/images\/(\d{1,2}))?)?\/?$/;

/**
 * One handler for the whole route (mount it on `<path>` and `<path>/jobs/*`):
 * - `POST <path>`: starts a generation as a job (JSON, or SSE when `stream: true`; the first event names the job).
 *   An `Idempotency-Key` header attaches a retry to the job the key already started instead of paying again.
 * - `GET <path>/jobs/<id>`: SSE replay of the job (every event once, in order), then the live ones; JSON with
 *   `Accept: application/json`. `Last-Event-ID` (or `?after=`) resumes after an event.
 * - `DELETE <path>/jobs/<id>`: cancels the job (the provider may still bill what it started).
 * - `GET <path>/jobs/<id>/images/<index>`: a persisted image (`jobs.persist`).
 * Another caller's job is 404 everywhere, like no job.
 */
export function createSeedreamRoute(options: SeedreamRouteOptions): SeedreamRouteHandler {
  const policy = toSpendingPolicy(options?.policy, 'createSeedreamRoute');
  if (!options.client || typeof options.client.generate !== 'function') {
    throw new TypeError('createSeedreamRoute: `client` (a @seedream-kit/core client) is required');
  }
  const pingInterval = options.pingInterval ?? 15_000;
  const { client } = options;
  // The default jobs report a job's failures to `onError` with the request that started it.
  const jobs = toJobs(options.jobs, client, (error, context) => {
    try {
      if (context instanceof Request) options.onError?.(error, context);
    } catch {
      // a failing logger must not change the outcome
    }
  });

  const report = (error: unknown, request: Request) => {
    if (request.signal.aborted) return; // the caller left: not a failure worth logging
    try {
      options.onError?.(error, request);
    } catch {
      // a failing logger must not change the answer
    }
  };
  const fail = (error: unknown, request: Request) => {
    if (isSpendingPolicyError(error)) return errorResponse(fromPolicyError(error));
    report(error, request);
    return errorResponse(wireError('upstream', 500, 'Internal error'));
  };
  const stream = (jobId: string, caller: Caller, request: Request, after?: string) =>
    streamResponse({ jobs, jobId, caller, request, after, pingInterval, report });

  /** `DELETE …/jobs` with the Idempotency-Key of a call whose job id never arrived (aborted at once). */
  async function cancelByKey(request: Request): Promise<Response> {
    if (request.method !== 'DELETE') return errorResponse(wireError('bad_request', 405, 'Use DELETE'), { allow: 'DELETE' });
    try {
      const caller = await policy.identify(request, 'job');
      const key = request.headers.get('idempotency-key');
      const jobId = isIdempotencyKey(key) ? await jobs.byKey(caller, key) : undefined;
      if (!jobId) return errorResponse(wireError('not_found', 404, 'No such job'));
      return Response.json(await jobs.cancel(jobId, caller), { headers: JSON_HEADERS });
    } catch (error) {
      return fail(error, request);
    }
  }

  async function jobRoute(request: Request, jobId: string, imageIndex: string | undefined): Promise<Response> {
    const method = request.method;
    const allowed = imageIndex === undefined ? 'GET, DELETE' : 'GET';
    if (method !== 'GET' && !(method === 'DELETE' && imageIndex === undefined)) {
      return errorResponse(wireError('bad_request', 405, `Use ${allowed}`), { allow: allowed });
    }
    try {
      const caller = await policy.identify(request, 'job');
      if (imageIndex !== undefined) {
        const image = await jobs.image(jobId, caller, Number(imageIndex));
        return new Response(image.bytes as BodyInit, {
          headers: { 'content-type': image.contentType, 'cache-control': 'private, max-age=86400, immutable', ...SAFE_HEADERS },
        });
      }
      if (method === 'DELETE') return Response.json(await jobs.cancel(jobId, caller), { headers: JSON_HEADERS });
      if (!wantsEventStream(request)) return Response.json(await jobs.get(jobId, caller), { headers: JSON_HEADERS });
      await jobs.get(jobId, caller); // 404 before the stream opens
      const after = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('after') ?? undefined;
      return stream(jobId, caller, request, after || undefined);
    } catch (error) {
      return fail(error, request);
    }
  }

  return async function seedreamRoute(request: Request): Promise<Response> {
    const jobPath = JOB_PATH.exec(safePathname(request.url));
    if (jobPath) return jobPath[1] === undefined ? cancelByKey(request) : jobRoute(request, safeDecode(jobPath[1]), jobPath[2]);
    if (request.method !== 'POST') {
      return errorResponse(wireError('bad_request', 405, 'Use POST'), { allow: 'POST' });
    }

    // A text/plain, form or multipart POST is a "simple" request any site can make with the user's cookies and
    // no CORS preflight: only JSON may start a paid generation (CSRF).
    if (!isJson(request.headers.get('content-type'))) {
      return errorResponse(wireError('bad_request', 415, 'Send the body as application/json'), { accept: 'application/json' });
    }
    const key = request.headers.get('idempotency-key') ?? undefined;
    if (key !== undefined && !isIdempotencyKey(key)) {
      return errorResponse(
        wireError('bad_request', 400, 'Idempotency-Key: 1 to 255 visible ASCII characters', { fields: [{ path: 'Idempotency-Key', message: 'invalid' }] }),
      );
    }

    let caller: Caller;
    let jobId: string;
    let streaming: boolean;
    try {
      caller = await policy.identify(request, 'generate');
      const body = await policy.readBody(request, caller);
      streaming = body.stream === true;
      const fingerprint = key === undefined ? undefined : await requestFingerprint(body);
      const existing = key === undefined ? undefined : await jobs.findIdempotent(caller, key, fingerprint!);
      if (existing) jobId = existing;
      else {
        if (body.image !== undefined) body.image = Array.isArray(body.image) ? body.image.map(fromDataURI) : fromDataURI(body.image);
        const admission = await policy.admit({ caller, request, operation: streaming ? 'stream' : 'generate', body, defaultModel: client.model });
        const idempotency = key !== undefined ? { idempotencyKey: key, fingerprint: fingerprint! } : {};
        jobId = (await jobs.start({ admission, context: request, ...idempotency })).jobId;
      }
    } catch (error) {
      return fail(error, request);
    }
    // SSE when asked for (the browser transport always asks: its first event names the job), else one JSON answer.
    if (streaming || accepts(request, 'text/event-stream')) return stream(jobId, caller, request);
    return jsonResponse({ jobs, jobId, caller, request, report });
  };
}

function toJobs(
  jobs: SeedreamJobs | Omit<JobsOptions, 'client'> | undefined,
  client: JobsOptions['client'],
  onError: (error: unknown, context: unknown) => void,
): SeedreamJobs {
  if (jobs && typeof (jobs as SeedreamJobs).follow === 'function') return jobs as SeedreamJobs;
  return createJobs({ onError: (error, { context }) => onError(error, context), ...(jobs as Omit<JobsOptions, 'client'> | undefined), client });
}

const SAFE_HEADERS = { 'x-content-type-options': 'nosniff' };
const JSON_HEADERS = { 'cache-control': 'no-store', ...SAFE_HEADERS };

function fromPolicyError(error: {
  kind: WireError['kind'];
  status: number;
  message: string;
  fields?: WireError['fields'] | undefined;
  retryAfter?: number | undefined;
}): WireError {
  return wireError(error.kind, error.status, error.message, {
    ...(error.fields ? { fields: error.fields } : {}),
    ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
  });
}

/** A browser's data URI carries whatever type the File claimed (or none): send the bytes, core sniffs them. */
function fromDataURI(image: unknown): ImageInput {
  if (typeof image !== 'string' || !image.startsWith('data:')) return image as ImageInput;
  const comma = image.indexOf(',');
  if (comma < 0 || !image.slice(0, comma).endsWith(';base64')) return image;
  return decodeBase64(image.slice(comma + 1));
}

function safePathname(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

const accepts = (request: Request, type: string) => (request.headers.get('accept') ?? '').includes(type);

function wantsEventStream(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  return !accept.includes('application/json') || accept.includes('text/event-stream');
}

interface FollowOptions {
  jobs: SeedreamJobs;
  jobId: string;
  caller: Caller;
  request: Request;
  report: (error: unknown, request: Request) => void;
}

/** A caller that left before the end: the job keeps running (resume by id), unless `onDisconnect: 'cancel'`. */
function leftEarly({ jobs, jobId, caller, request, report }: FollowOptions): void {
  if (jobs.onDisconnect === 'cancel') void jobs.cancel(jobId, caller).catch((error) => report(error, request));
}

/** A JSON call is a job too: the answer waits for its end; a disconnect leaves it running (resume by id). */
async function jsonResponse(options: FollowOptions): Promise<Response> {
  const { jobs, jobId, caller, request, report } = options;
  const headers = { ...JSON_HEADERS, 'x-seedream-job': jobId };
  const images: ClientResult['images'] = [];
  try {
    // One answer at the end: the whole log once the job has ended (undefined if the caller left first).
    for (const { event } of (await jobs.outcome(jobId, caller, { signal: request.signal })) ?? []) {
      if (event.type === 'image') images.push(event.image);
      else if (event.type === 'done') {
        const answer: ClientResult = {
          images: images.sort((a, b) => a.index - b.index),
          model: event.model,
          created: event.created,
          ...(event.usage ? { usage: event.usage } : {}),
        };
        return Response.json(answer, { headers });
      } else return errorResponse(event.error, { 'x-seedream-job': jobId });
    }
    leftEarly(options);
    return errorResponse(wireError('aborted'), { 'x-seedream-job': jobId });
  } catch (error) {
    report(error, request);
    return errorResponse(isSpendingPolicyError(error) ? fromPolicyError(error) : toWireError(error), { 'x-seedream-job': jobId });
  }
}

interface StreamOptions extends FollowOptions {
  after: string | undefined;
  pingInterval: number;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
  ...SAFE_HEADERS,
};

/** SSE: `job` first (its id), then each log entry with its cursor as the event id, ending with `done` or `error`. */
function streamResponse(options: StreamOptions): Response {
  const headers = { ...SSE_HEADERS, 'x-seedream-job': options.jobId };
  // Under toNodeHandler the events go straight to the socket (see node-direct.ts); elsewhere, a body stream.
  if (isNodeRequest(options.request)) {
    return directResponse({ headers }, (res) => {
      // toNodeHandler aborts the request's signal when the socket closes early, and only then: it is the stop
      // signal itself, with no controller of its own per stream.
      const relay = relayEvents(options, { write: (text) => void res.write(text), end: () => void res.end() }, options.request.signal);
      res.once('close', relay.leave);
    });
  }
  // Elsewhere following stops when the request's signal fires or the body is cancelled, whichever comes first.
  const following = new AbortController();
  const stop = () => following.abort();
  if (options.request.signal.aborted) stop();
  else options.request.signal.addEventListener('abort', stop, { once: true });
  const encoder = new TextEncoder();
  let relay: { leave(): void } | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      relay = relayEvents(options, { write: (text) => controller.enqueue(encoder.encode(text)), end: () => controller.close() }, following.signal);
    },
    cancel: () => {
      options.request.signal.removeEventListener('abort', stop);
      stop();
      relay?.leave();
    },
  });
  return new Response(body, { headers });
}

/**
 * Follows the job into `sink` until it ends or `signal` fires. `leave()` is the caller going away (the caller
 * fires `signal` with it): unless the jobs say otherwise, the generation goes on (resume by id).
 */
function relayEvents(options: StreamOptions, sink: EventSink, signal: AbortSignal): { leave(): void } {
  const { jobs, jobId, caller, request, after, pingInterval, report } = options;
  let closed = false;
  let ended = false;
  let stopPings = () => {};
  const write = (text: string) => {
    if (!closed) sink.write(text);
  };
  const send = (event: string, data: unknown, id?: string) => write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  // A first byte at once: proxies and the browser see the stream open while the first image renders (~30 s).
  write(': open\n\n');
  send('job', { id: jobId });
  if (pingInterval > 0) stopPings = pingEvery(pingInterval, () => write(': ping\n\n'));
  void (async () => {
    try {
      for await (const entry of jobs.follow(jobId, caller, { signal, ...(after ? { after } : {}) })) {
        sendEntry(send, entry);
        if (entry.event.type !== 'image') ended = true;
      }
    } catch (error) {
      report(error, request);
      send('error', { error: isSpendingPolicyError(error) ? fromPolicyError(error) : toWireError(error) });
    } finally {
      stopPings();
      if (!closed) {
        closed = true;
        sink.end();
      }
    }
  })();
  return {
    leave() {
      if (closed) return;
      closed = true;
      stopPings();
      if (!ended) leftEarly(options);
    },
  };
}

function sendEntry(send: (event: string, data: unknown, id?: string) => void, { cursor, event }: JobEntry): void {
  if (event.type === 'image') send('image', event.image, cursor);
  else if (event.type === 'done') send('done', { model: event.model, created: event.created, ...(event.usage ? { usage: event.usage } : {}) }, cursor);
  else send('error', { error: event.error }, cursor);
}

/** `application/json` or a `+json` type, parameters ignored. */
function isJson(contentType: string | null): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
