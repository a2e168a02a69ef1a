/**
 * `@seedream-kit/core/http`: the browser transport to `createSeedreamRoute` (`@seedream-kit/react/server`): one
 * POST of JSON; a JSON answer, or Server-Sent Events when `stream: true`. The API key stays on the server. Every
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
  type ClientImage,
  type ClientImageInput,
  type ClientResult,
  type SeedreamTransport,
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
  return {
    async generate(params, { signal, onEvent }) {
      const images: ClientImage[] = [];
      const partial = (): ClientResult => ({ images: [...images], model: String(params.model ?? ''), created: 0 });
      const wantBase64 = params.response_format === 'b64_json';
      try {
        const extra = typeof options.headers === 'function' ? await options.headers() : options.headers;
        const upload = options.uploadUrl
          ? { url: options.uploadUrl, signal, ...(extra ? { headers: extra } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) }
          : undefined;
        const body = JSON.stringify({ ...params, image: await serializeImages(params.image, upload) });
        const response = await (options.fetch ?? globalThis.fetch)(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: params.stream ? 'text/event-stream' : 'application/json', ...extra },
          body,
          signal,
          credentials: options.credentials ?? 'same-origin',
        });
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
