/**
 * `createSeedreamRoute`: the server half of `useSeedream`. A fetch-standard handler that fails closed: every rule
 * about spending (who, which models, how much, how often) comes from one spending policy of
 * `@seedream-kit/core/server`, the same object the GraphQL schema takes. It holds the core client (and with it
 * the key); the browser only ever sees the shapes in `@seedream-kit/core/transport`.
 */
import {
  decodeBase64,
  encodeBase64,
  sniffImageType,
  type GenerateParams,
  type GeneratedImage,
  type ImageInput,
  type SeedreamClient,
  type Usage,
} from '@seedream-kit/core';
import { isSpendingPolicyError, toSpendingPolicy, type Admission, type SpendingPolicy, type SpendingPolicyOptions } from '@seedream-kit/core/server';
import type { ClientImage, ClientResult, ClientUsage } from '@seedream-kit/core/transport';
import { errorResponse, toWireError, wireError, type WireError } from './wire-error.js';

export interface SeedreamRouteOptions {
  /** The core client that holds the key, e.g. `createSeedream()`. */
  client: Pick<SeedreamClient, 'generate' | 'model'>;
  /** Required: who may spend, on which models, how much. A `createSpendingPolicy()` object (share it with the
   *  GraphQL schema), or its options. */
  policy: SpendingPolicy | SpendingPolicyOptions;
  /** Sees every failure (with the full error, for your logs); the browser gets the safe shape only. */
  onError?: (error: unknown, request: Request) => void;
  /** Keep-alive comment interval of the SSE stream in ms; `0` turns pings off. Default 15 000. */
  pingInterval?: number;
}

export type SeedreamRouteHandler = (request: Request) => Promise<Response>;

export function createSeedreamRoute(options: SeedreamRouteOptions): SeedreamRouteHandler {
  const policy = toSpendingPolicy(options?.policy, 'createSeedreamRoute');
  if (!options.client || typeof options.client.generate !== 'function') {
    throw new TypeError('createSeedreamRoute: `client` (a @seedream-kit/core client) is required');
  }
  const pingInterval = options.pingInterval ?? 15_000;
  const { client } = options;

  const report = (error: unknown, request: Request) => {
    if (request.signal.aborted) return; // the caller left: not a failure worth logging
    try {
      options.onError?.(error, request);
    } catch {
      // a failing logger must not change the answer
    }
  };

  return async function seedreamRoute(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return errorResponse(wireError('bad_request', 405, 'Use POST'), { allow: 'POST' });
    }

    // A text/plain, form or multipart POST is a "simple" request any site can make with the user's cookies and
    // no CORS preflight: only JSON may start a paid generation (CSRF).
    if (!isJson(request.headers.get('content-type'))) {
      return errorResponse(wireError('bad_request', 415, 'Send the body as application/json'), { accept: 'application/json' });
    }

    let admission: Admission;
    try {
      const caller = await policy.identify(request, 'generate');
      const body = await policy.readBody(request, caller);
      if (body.image !== undefined) body.image = Array.isArray(body.image) ? body.image.map(fromDataURI) : fromDataURI(body.image);
      admission = await policy.admit({ caller, request, operation: body.stream === true ? 'stream' : 'generate', body, defaultModel: client.model });
    } catch (error) {
      if (isSpendingPolicyError(error)) return errorResponse(fromPolicyError(error));
      report(error, request);
      return errorResponse(wireError('upstream', 500, 'Internal error'));
    }

    const { params } = admission;
    if (params.stream) return streamResponse({ client, admission, request, pingInterval, report });
    try {
      const result = await client.generate({ ...params, stream: false }, { signal: request.signal });
      await admission.settle({ generated: countGenerated(result.images) });
      const answer: ClientResult = {
        images: result.images.map(toClientImage),
        model: result.model,
        created: result.created,
        ...(result.usage ? { usage: toClientUsage(result.usage) } : {}),
      };
      return Response.json(answer, { headers: { ...JSON_HEADERS, ...(result.requestId ? { 'x-request-id': result.requestId } : {}) } });
    } catch (error) {
      await admission.settle({ generated: 0, error });
      report(error, request);
      return errorResponse(toWireError(error));
    }
  };
}

const JSON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

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

const countGenerated = (images: readonly GeneratedImage[]) => images.filter((image) => !image.error).length;

/** A browser's data URI carries whatever type the File claimed (or none): send the bytes, core sniffs them. */
function fromDataURI(image: unknown): ImageInput {
  if (typeof image !== 'string' || !image.startsWith('data:')) return image as ImageInput;
  const comma = image.indexOf(',');
  if (comma < 0 || !image.slice(0, comma).endsWith(';base64')) return image;
  return decodeBase64(image.slice(comma + 1));
}

interface StreamOptions {
  client: Pick<SeedreamClient, 'generate'>;
  admission: Admission;
  request: Request;
  pingInterval: number;
  report: (error: unknown, request: Request) => void;
}

function streamResponse({ client, admission, request, pingInterval, report }: StreamOptions): Response {
  const params: GenerateParams = admission.params;
  let generated = 0;
  const upstream = new AbortController();
  const abortUpstream = () => upstream.abort(request.signal.reason);
  if (request.signal.aborted) abortUpstream();
  else request.signal.addEventListener('abort', abortUpstream, { once: true });
  const encoder = new TextEncoder();
  let closed = false;
  let ping: ReturnType<typeof setInterval> | undefined;

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      // A first byte at once: proxies and the browser see the stream open while the first image renders (~30 s).
      write(': open\n\n');
      if (pingInterval > 0) ping = setInterval(() => write(': ping\n\n'), pingInterval);
      void (async () => {
        try {
          const stream = await client.generate({ ...params, stream: true }, { signal: upstream.signal });
          for await (const event of stream) {
            if (event.type === 'image_generation.completed') {
              send('done', { model: event.model, created: event.created, ...(event.usage ? { usage: toClientUsage(event.usage) } : {}) });
            } else {
              if (!event.image.error) generated++;
              send('image', toClientImage(event.image));
            }
          }
          await admission.settle({ generated });
        } catch (error) {
          await admission.settle({ generated, error });
          report(error, request);
          send('error', { error: toWireError(error) });
        } finally {
          clearInterval(ping);
          request.signal.removeEventListener('abort', abortUpstream);
          if (!closed) {
            closed = true;
            controller.close();
          }
        }
      })();
    },
    cancel() {
      // The client went away: stop pinging and abort the upstream request.
      closed = true;
      clearInterval(ping);
      upstream.abort();
    },
  });

  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
    },
  });
}

function toClientImage(image: GeneratedImage): ClientImage {
  if (image.error) return { index: image.index, error: { code: image.error.code, message: image.error.message } };
  const out: ClientImage = { index: image.index };
  if (image.url) out.url = image.url;
  else if (image.bytes) {
    const mime = sniffImageType(image.bytes)?.mime ?? 'application/octet-stream';
    out.url = `data:${mime};base64,${encodeBase64(image.bytes)}`;
  }
  if (image.size) out.size = image.size;
  if (image.width) out.width = image.width;
  if (image.height) out.height = image.height;
  return out;
}

function toClientUsage(usage: Usage): ClientUsage {
  const out: ClientUsage = { generated_images: usage.generated_images };
  if (usage.output_tokens !== undefined) out.output_tokens = usage.output_tokens;
  if (usage.total_tokens !== undefined) out.total_tokens = usage.total_tokens;
  return out;
}

/** `application/json` or a `+json` type, parameters ignored. */
function isJson(contentType: string | null): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
