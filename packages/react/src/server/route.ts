/**
 * `createSeedreamRoute`: the server half of `useSeedream`. A fetch-standard handler that fails closed: a
 * required `authorize`, a model allow-list, caps, a rate-limit hook, and errors in a safe shape. It holds the
 * core client (and with it the key); the browser only ever sees the shapes in ../transport/types.ts.
 */
import {
  decodeBase64,
  encodeBase64,
  sniffImageType,
  validateParams,
  type GenerateParams,
  type GeneratedImage,
  type ImageInput,
  type SeedreamClient,
  type Usage,
  type ValidationOptions,
} from '@seedream-kit/core';
import type { ClientImage, ClientResult, ClientUsage } from '@seedream-kit/core/transport';
import { TOO_LARGE, readBody } from './body.js';
import { errorResponse, toWireError, wireError, type WireError } from './wire-error.js';

export interface RouteLimits {
  /** Most images one request may produce (`max_images`; injected when a group request leaves it out). Default 4. */
  maxImages: number;
  /** Most reference images per request. Default 10. */
  maxReferenceImages: number;
  /** Largest request body, in bytes (reference images arrive base64-encoded: ×4/3). Default 16 MiB. */
  maxBodyBytes: number;
  /** Longest prompt, in characters. Default 2 000. */
  maxPromptLength: number;
}

export const DEFAULT_ROUTE_LIMITS: Readonly<RouteLimits> = Object.freeze({
  maxImages: 4,
  maxReferenceImages: 10,
  maxBodyBytes: 16 * 1024 * 1024,
  maxPromptLength: 2000,
});

/** A non-empty answer refuses the request with 429 (and `Retry-After` when given). */
export type RateLimitVerdict = void | undefined | { retryAfter?: number; message?: string };

export interface SeedreamRouteOptions {
  /** The core client that holds the key, e.g. `createSeedream()`. */
  client: Pick<SeedreamClient, 'generate' | 'model'>;
  /** Required. Decide from the request (session cookie, token) whether this caller may spend your credits.
   *  Anything but `true` (or a throw) answers 403. */
  authorize: (request: Request) => boolean | Promise<boolean>;
  /** Models a caller may ask for (the client's default model must be listed when callers omit `model`). */
  models?: readonly string[];
  limits?: Partial<RouteLimits>;
  /** Budget or rate limit, called after validation and before the upstream call. Throwing answers 500. */
  rateLimit?: (request: Request, params: GenerateParams) => RateLimitVerdict | Promise<RateLimitVerdict>;
  /** Sees every failure (with the full error, for your logs); the browser gets the safe shape only. */
  onError?: (error: unknown, request: Request) => void;
  /** Keep-alive comment interval of the SSE stream in ms; `0` turns pings off. Default 15 000. */
  pingInterval?: number;
  /** Options for core's `validateParams` (defaults to the client's model). */
  validation?: ValidationOptions;
}

export type SeedreamRouteHandler = (request: Request) => Promise<Response>;

/** The fields a browser may set; anything else is dropped before it reaches the provider. */
const FORWARDED_FIELDS = [
  'model', 'prompt', 'image', 'size', 'seed', 'sequential_image_generation', 'sequential_image_generation_options',
  'stream', 'guidance_scale', 'response_format', 'watermark', 'output_format', 'optimize_prompt_options', 'tools',
  'layer_decomposition', 'background',
] as const;

export function createSeedreamRoute(options: SeedreamRouteOptions): SeedreamRouteHandler {
  if (typeof options?.authorize !== 'function') {
    throw new TypeError('createSeedreamRoute: `authorize(request)` is required (return true to allow a caller); the route fails closed');
  }
  if (!options.client || typeof options.client.generate !== 'function') {
    throw new TypeError('createSeedreamRoute: `client` (a @seedream-kit/core client) is required');
  }
  const limits: RouteLimits = { ...DEFAULT_ROUTE_LIMITS, ...options.limits };
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

    let allowed = false;
    try {
      allowed = (await options.authorize(request)) === true;
    } catch (error) {
      report(error, request);
    }
    if (!allowed) return errorResponse(wireError('permission', 403, 'Not allowed'));

    const text = await readBody(request, limits.maxBodyBytes).catch(() => undefined);
    if (text === TOO_LARGE) {
      return errorResponse(wireError('bad_request', 413, `The request body is larger than ${limits.maxBodyBytes} bytes`));
    }
    let body: unknown;
    try {
      body = JSON.parse(text ?? '');
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return errorResponse(wireError('bad_request', 400, 'The body must be a JSON object'));
    }

    const params = pickParams(body as Record<string, unknown>);
    const refused = checkLimits(params, limits, options.models, client.model);
    if (refused) return errorResponse(refused);

    const issues = validateParams(params, { defaultModel: client.model, ...options.validation }).filter((issue) => issue.severity === 'error');
    if (issues.length) {
      const fields = issues.map(({ path, message }) => ({ path, message }));
      return errorResponse(wireError('validation', 400, fields.map((f) => `${f.path || '(request)'}: ${f.message}`).join('; '), { fields }));
    }

    if (options.rateLimit) {
      let verdict: RateLimitVerdict;
      try {
        verdict = await options.rateLimit(request, params);
      } catch (error) {
        report(error, request);
        return errorResponse(wireError('upstream', 500, 'The request could not be checked'));
      }
      if (verdict) {
        return errorResponse(
          wireError('rate_limit', 429, verdict.message ?? 'Too many requests; try again later', verdict.retryAfter !== undefined ? { retryAfter: verdict.retryAfter } : {}),
        );
      }
    }

    if (params.stream) return streamResponse(client, params, request, pingInterval, report);
    try {
      const result = await client.generate({ ...params, stream: false }, { signal: request.signal });
      const answer: ClientResult = {
        images: result.images.map(toClientImage),
        model: result.model,
        created: result.created,
        ...(result.usage ? { usage: toClientUsage(result.usage) } : {}),
      };
      return Response.json(answer, { headers: { 'cache-control': 'no-store', ...(result.requestId ? { 'x-request-id': result.requestId } : {}) } });
    } catch (error) {
      report(error, request);
      return errorResponse(toWireError(error));
    }
  };
}

function pickParams(body: Record<string, unknown>): GenerateParams {
  const params: Record<string, unknown> = {};
  for (const field of FORWARDED_FIELDS) if (body[field] !== undefined) params[field] = body[field];
  if (params.image !== undefined) {
    params.image = Array.isArray(params.image) ? params.image.map(fromDataURI) : fromDataURI(params.image);
  }
  return params as GenerateParams;
}

/** A browser's data URI carries whatever type the File claimed (or none): send the bytes, core sniffs them. */
function fromDataURI(image: unknown): ImageInput {
  if (typeof image !== 'string' || !image.startsWith('data:')) return image as ImageInput;
  const comma = image.indexOf(',');
  if (comma < 0 || !image.slice(0, comma).endsWith(';base64')) return image;
  return decodeBase64(image.slice(comma + 1));
}

function checkLimits(params: GenerateParams, limits: RouteLimits, models: readonly string[] | undefined, defaultModel: string): WireError | undefined {
  const refuse = (path: string, message: string) => wireError('validation', 400, `${path}: ${message}`, { fields: [{ path, message }] });
  const model = typeof params.model === 'string' ? params.model : defaultModel;
  if (models && !models.includes(model)) return refuse('model', `Model not allowed here; use one of: ${models.join(', ')}`);
  if (typeof params.prompt === 'string' && [...params.prompt].length > limits.maxPromptLength) {
    return refuse('prompt', `At most ${limits.maxPromptLength} characters`);
  }
  const references = params.image === undefined ? 0 : Array.isArray(params.image) ? params.image.length : 1;
  if (references > limits.maxReferenceImages) return refuse('image', `At most ${limits.maxReferenceImages} reference images`);
  const options = params.sequential_image_generation_options;
  const max = typeof options === 'object' && options !== null ? options.max_images : undefined;
  if (max !== undefined && typeof max === 'number' && max > limits.maxImages) {
    return refuse('sequential_image_generation_options.max_images', `At most ${limits.maxImages} images per request`);
  }
  if (params.sequential_image_generation === 'auto' && max === undefined) {
    // Without it the provider may make up to 15 images: cap the bill here.
    params.sequential_image_generation_options = { ...(typeof options === 'object' ? options : {}), max_images: limits.maxImages };
  }
  return undefined;
}

function streamResponse(
  client: Pick<SeedreamClient, 'generate'>,
  params: GenerateParams,
  request: Request,
  pingInterval: number,
  report: (error: unknown, request: Request) => void,
): Response {
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
              send('image', toClientImage(event.image));
            }
          }
        } catch (error) {
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
  const type = contentType?.split(';')[0]!.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
