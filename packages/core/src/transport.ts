/**
 * `@seedream-kit/core/transport`: the browser-side contract between a UI binding (`useSeedream` of
 * @seedream-kit/react) and the server it talks to (the route of @seedream-kit/react, the GraphQL API of
 * @seedream-kit/graphql). A transport turns every failure into the one `SeedreamClientError`, so a UI switches
 * on `kind` and never on a transport's details. Small and browser-safe: no key, no Node built-ins.
 */
import { clientErrorKindForStatus, type SeedreamClientErrorKind } from './error-kinds.js';
import type { GenerateParams } from './types.js';
import { encodeBase64 } from './internal/base64.js';
import { sniffCommonImageMime } from './internal/sniff.js';

/** A reference image: an http(s) URL or data: URI, or a Blob/File (from `<input type=file>` or drag and drop). */
export type ClientImageInput = string | Blob;

/** The known fields of a type without its index signature (a plain `Omit` would keep only the signature). */
type KnownFields<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** Core's request params with the wire's names; reference images may also be Files. */
export type ClientGenerateParams = Omit<KnownFields<GenerateParams>, 'image' | 'stream'> & {
  image?: ClientImageInput | ClientImageInput[];
  /** Receive the images of a sequential generation one by one. */
  stream?: boolean;
  /** Other fields pass through (the server decides what it forwards). */
  [extra: string]: unknown;
};

/** One slot of a generation. */
export interface ClientImage {
  index: number;
  /** The result URL, or a data: URI built from `b64_json`. */
  url?: string;
  /** Only when `response_format: 'b64_json'` was asked for. */
  b64_json?: string;
  size?: string;
  width?: number;
  height?: number;
  /** The encoding (`png`, `jpeg`), when the API reported it or the request asked for one. */
  output_format?: string;
  /** A failed slot of a group (e.g. refused by moderation); the other slots are still good. */
  error?: { code: string; message: string };
}

export interface ClientUsage {
  generated_images: number;
  output_tokens?: number;
  total_tokens?: number;
  /** Reference images read, when the API reports it. */
  input_images?: number;
  /** Tool calls, when the API reports them (`web_search`: searches run). */
  tool_usage?: { web_search?: number };
}

export interface ClientResult {
  images: ClientImage[];
  usage?: ClientUsage;
  model: string;
  created: number;
}

export type ClientEvent = { type: 'image'; image: ClientImage };

export interface TransportContext {
  signal: AbortSignal;
  onEvent?: (event: ClientEvent) => void;
  /** Called with the server's job id as soon as it is known (a durable job can be resumed or cancelled by it). */
  onJob?: (jobId: string) => void;
  /** Sent with the request, so a retry of the same call attaches to its job instead of paying twice. */
  idempotencyKey?: string;
}

export interface SeedreamTransport {
  /** Resolves to the whole result; throws a SeedreamClientError. Streams call `onEvent` once per image. */
  generate(params: ClientGenerateParams, ctx: TransportContext): Promise<ClientResult>;
  /** Re-attaches to a job: every image it produced (once, in order), then the rest as it comes. */
  resume?(jobId: string, ctx: TransportContext): Promise<ClientResult>;
  /** Stops a job on the server, named by its id or, before the id is known, by the call's idempotency key (the
   *  provider may still bill what it started). */
  cancel?(job: { jobId?: string | undefined; idempotencyKey?: string | undefined }): Promise<void>;
}

// How wire params become @seedream-kit/graphql's `GenerateImagesInput` (generated from core's parameter table).
export { GRAPHQL_INPUT_CODECS } from './internal/graphql-input.js';
export type { GraphQLCodec } from './internal/parameters.js';

// What went wrong, in one table (kind → HTTP status, GraphQL code, retryable, billed, default message).
export { CLIENT_ERROR_KINDS, clientErrorKindForCode, clientErrorKindForStatus, isClientErrorKind } from './error-kinds.js';
export type { ClientErrorKindInfo, SeedreamClientErrorCode, SeedreamClientErrorKind } from './error-kinds.js';

export interface ClientFieldError {
  /** Field path as core's ValidationIssue names it: `size`, `image[2]`, `sequential_image_generation_options.max_images`. */
  path: string;
  message: string;
}

export interface SeedreamClientErrorInit {
  status?: number | undefined;
  fields?: ClientFieldError[] | undefined;
  retryAfter?: number | undefined;
  requestId?: string | undefined;
  partialResult?: ClientResult | undefined;
  cause?: unknown;
}

const BRAND = Symbol.for('seedream-kit.client-error');

export class SeedreamClientError extends Error {
  override name = 'SeedreamClientError';
  readonly kind: SeedreamClientErrorKind;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  fields?: ClientFieldError[];
  /** Seconds to wait before trying again (`rate_limit`). */
  retryAfter?: number;
  requestId?: string;
  /** Images received before the failure. They were paid for: show them. */
  partialResult?: ClientResult;

  constructor(kind: SeedreamClientErrorKind, message: string, init: SeedreamClientErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = kind;
    Object.defineProperty(this, BRAND, { value: true });
    if (init.status !== undefined) this.status = init.status;
    if (init.fields?.length) this.fields = init.fields;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    if (init.requestId) this.requestId = init.requestId;
    if (init.partialResult?.images.length) this.partialResult = init.partialResult;
  }

  /** `instanceof` also accepts errors made by another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isSeedreamClientError(value);
  }
}

/** True for a SeedreamClientError from any copy of this package (the brand is a global symbol). */
export function isSeedreamClientError(value: unknown): value is SeedreamClientError {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<PropertyKey, unknown>;
  return record[BRAND] !== undefined && record[BRAND] !== false && typeof record.kind === 'string';
}

/** Where a transport uploads Files and Blobs (`createUploadHandler` of @seedream-kit/core/server). */
export interface UploadTarget {
  url: string;
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

/**
 * A reference image as the wire carries it: strings as given; Files and Blobs uploaded to `upload` and named by
 * their handle, or without `upload` inlined as `data:image/<fmt>;base64,…`. The type is sniffed from the bytes
 * (a declared type can be missing after drag and drop, or wrong).
 */
export async function toImageString(image: ClientImageInput, upload?: UploadTarget): Promise<string> {
  if (typeof image === 'string') return image;
  const bytes = new Uint8Array(await image.arrayBuffer());
  const mime = sniffCommonImageMime(bytes) ?? (image.type.toLowerCase() || 'application/octet-stream');
  if (!upload) return `data:${mime};base64,${encodeBase64(bytes)}`;
  const response = await (upload.fetch ?? globalThis.fetch)(upload.url, {
    method: 'POST',
    headers: { ...upload.headers, 'content-type': mime },
    body: bytes, // fetch's default credentials are same-origin: the session cookie goes along
    signal: upload.signal ?? null,
  });
  const answer = (await response.json().catch(() => ({}))) as { handle?: unknown; error?: { message?: unknown } };
  if (response.ok && typeof answer.handle === 'string') return answer.handle;
  throw new SeedreamClientError(clientErrorKindForStatus(response.status), String(answer.error?.message ?? 'The upload failed'), { status: response.status });
}

export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * A minimal Server-Sent Events reader (`event:` and `data:` fields, `:` comments as keep-alive pings). Small on
 * purpose: it ships in browser bundles. Leaving the loop early cancels the body, which closes the connection.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          if (data.length) yield { event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
        } else if (line[0] !== ':') {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
          if (field === 'event') event = text;
          else if (field === 'data') data.push(text);
        }
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
