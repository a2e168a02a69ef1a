/**
 * `@seedream-kit/core/http`: the browser transport to `createSeedreamRoute` (`@seedream-kit/react/server`): one
 * POST of JSON; a JSON answer, or Server-Sent Events when `stream: true`. Every call is a job on the server:
 * `resume` is a GET of `<url>/jobs/<id>` (SSE replay), `cancel` a DELETE. The API key stays on the server. Every
 * UI binding (React, Vue, Svelte) hands this one transport on; browser-safe, no framework.
 */
import {
  CLIENT_ERROR_KINDS,
  clientErrorKindForStatus,
  isClientErrorKind,
  readServerSentEvents,
  SeedreamClientError,
  toImageString,
  type ClientFieldError,
  type ClientGenerateParams,
  type ClientImage,
  type ClientImageInput,
  type ClientResult,
  type SeedreamTransport,
  type TransportContext,
  type UploadTarget,
} from './transport.js';

export interface HttpTransportOptions {
  /** The route's URL, e.g. `/api/seedream`. */
  url: string;
  /** Extra request headers (a CSRF token …), or a function returning them for each call. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Default `'same-origin'`. */
  credentials?: RequestCredentials;
  /** Upload Files and Blobs here first (`createUploadHandler`) and send their handles, so the request stays small.
   *  Without it they travel inline as data URIs. */
  uploadUrl?: string;
}

interface WireError {
  kind?: unknown;
  message?: unknown;
  status?: unknown;
  fields?: unknown;
  retryAfter?: unknown;
  requestId?: unknown;
}

export function createHttpTransport(options: HttpTransportOptions): SeedreamTransport {
  const headers = async () => (typeof options.headers === 'function' ? await options.headers() : options.headers);
  const send = (url: string, init: RequestInit) => (options.fetch ?? globalThis.fetch)(url, { credentials: options.credentials ?? 'same-origin', ...init });
  const jobUrl = (jobId: string) => `${options.url.replace(/\/$/, '')}/jobs/${encodeURIComponent(jobId)}`;

  /** Reads a JSON answer or the route's SSE (`job`, `image`…, then `done` or `error`) into a result. */
  async function call(
    params: Pick<ClientGenerateParams, 'model' | 'response_format'>,
    { signal, onEvent, onJob }: TransportContext,
    request: (extra: Record<string, string> | undefined) => Promise<Response>,
  ): Promise<ClientResult> {
    const images: ClientImage[] = [];
    const partial = (): ClientResult => ({ images: [...images], model: String(params.model ?? ''), created: 0 });
    const wantBase64 = params.response_format === 'b64_json';
    try {
      const response = await request(await headers());
      const job = response.headers.get('x-seedream-job');
      if (job) onJob?.(job);
      if (!response.ok) throw await errorFromResponse(response);
      if (!response.headers.get('content-type')?.includes('text/event-stream') || !response.body) {
        const result = (await response.json()) as ClientResult;
        return { ...result, images: result.images.map((image) => withBase64(image, wantBase64)) };
      }
      for await (const { event, data } of readServerSentEvents(response.body)) {
        const payload = JSON.parse(data) as Record<string, unknown>;
        if (event === 'image') {
          const image = withBase64(payload as unknown as ClientImage, wantBase64);
          images.push(image);
          onEvent?.({ type: 'image', image });
        } else if (event === 'error') {
          throw toClientError(payload.error as WireError, undefined, partial());
        } else if (event === 'done') {
          const done = payload as unknown as Omit<ClientResult, 'images'>;
          return { ...done, images: [...images].sort((a, b) => a.index - b.index) };
        }
      }
      throw new SeedreamClientError('network', 'The stream ended before the generation completed', { partialResult: partial() });
    } catch (error) {
      if (signal.aborted) {
        throw new SeedreamClientError('aborted', CLIENT_ERROR_KINDS.aborted.message, { partialResult: partial(), cause: error });
      }
      if (error instanceof SeedreamClientError) {
        if (!error.partialResult && images.length) error.partialResult = partial();
        throw error;
      }
      throw new SeedreamClientError('network', CLIENT_ERROR_KINDS.network.message, { partialResult: partial(), cause: error });
    }
  }

  return {
    generate: (params, ctx) =>
      call(params, ctx, async (extra) => {
        const upload = options.uploadUrl
          ? { url: options.uploadUrl, signal: ctx.signal, ...(extra ? { headers: extra } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) }
          : undefined;
        const body = JSON.stringify({ ...params, image: await serializeImages(params.image, upload) });
        const key: Record<string, string> = ctx.idempotencyKey ? { 'idempotency-key': ctx.idempotencyKey } : {};
        // Always SSE: its first event names the job (so abort can cancel it), whether images stream or not.
        const accept = 'text/event-stream';
        return send(options.url, { method: 'POST', headers: { 'content-type': 'application/json', accept, ...key, ...extra }, body, signal: ctx.signal });
      }),
    resume: (jobId, ctx) => call({}, ctx, (extra) => send(jobUrl(jobId), { headers: { accept: 'text/event-stream', ...extra }, signal: ctx.signal })),
    async cancel({ jobId, idempotencyKey }) {
      // Before the job's id arrived, the call's idempotency key names it. keepalive: sent even as the page closes.
      const key: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};
      await send(jobId ? jobUrl(jobId) : jobUrl('').slice(0, -1), { method: 'DELETE', headers: { ...key, ...(await headers()) }, keepalive: true });
    },
  };
}

function withBase64(image: ClientImage, wantBase64: boolean): ClientImage {
  if (!wantBase64 || image.b64_json || !image.url?.startsWith('data:')) return image;
  return { ...image, b64_json: image.url.slice(image.url.indexOf(',') + 1) };
}

async function errorFromResponse(response: Response): Promise<SeedreamClientError> {
  let wire: WireError = {};
  try {
    wire = ((await response.json()) as { error?: WireError }).error ?? {};
  } catch {
    // not our JSON (a proxy's HTML page): fall back to the status
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return toClientError(wire, response.status, undefined, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

function toClientError(wire: WireError = {}, httpStatus?: number, partialResult?: ClientResult, retryAfter?: number): SeedreamClientError {
  const status = typeof wire.status === 'number' ? wire.status : httpStatus;
  // The route's kind; for an answer that is not the route's (a proxy's page), the kind of its status.
  const kind = isClientErrorKind(wire.kind) ? wire.kind : clientErrorKindForStatus(status);
  return new SeedreamClientError(kind, typeof wire.message === 'string' ? wire.message : CLIENT_ERROR_KINDS[kind].message, {
    status,
    fields: Array.isArray(wire.fields) ? (wire.fields as ClientFieldError[]) : undefined,
    retryAfter: typeof wire.retryAfter === 'number' ? wire.retryAfter : retryAfter,
    requestId: typeof wire.requestId === 'string' ? wire.requestId : undefined,
    partialResult,
  });
}

async function serializeImages(image: ClientImageInput | ClientImageInput[] | undefined, upload: UploadTarget | undefined) {
  if (image === undefined) return undefined;
  return Array.isArray(image) ? Promise.all(image.map((item) => toImageString(item, upload))) : toImageString(image, upload);
}
