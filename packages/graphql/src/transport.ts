/**
 * `@seedream-kit/graphql/transport`: a browser-side `SeedreamTransport` (the contract of @seedream-kit/react's
 * `useSeedream`) that runs on this package's GraphQL API. Plain fetch, no graphql-js: the mutation for one-shot
 * calls, the subscription over GraphQL-over-SSE (distinct connections mode) for `stream: true`.
 */
import type { GenerateParams } from '@seedream-kit/core';

// ── The shared contract, redeclared structurally (see @seedream-kit/react) ───────────────────────────────────
export type ClientImageInput = string | Blob;
/** Core's `GenerateParams` with browser-friendly images (spelled out: `Omit` over an index signature loses the known fields). */
export interface ClientGenerateParams {
  model?: string;
  prompt: string;
  image?: ClientImageInput | ClientImageInput[];
  size?: string;
  seed?: number;
  sequential_image_generation?: GenerateParams['sequential_image_generation'];
  sequential_image_generation_options?: { max_images?: number };
  /** Sequential results one by one (the subscription over SSE). */
  stream?: boolean;
  guidance_scale?: number;
  response_format?: GenerateParams['response_format'];
  watermark?: boolean;
  output_format?: GenerateParams['output_format'];
  optimize_prompt_options?: { mode?: 'standard' | 'fast' };
  tools?: Array<{ type: 'web_search' }>;
  layer_decomposition?: boolean;
  background?: 'transparent' | 'opaque';
  [extra: string]: unknown;
}
export interface ClientImage {
  index: number;
  url?: string;
  b64_json?: string;
  size?: string;
  width?: number;
  height?: number;
  error?: { code: string; message: string };
}
export interface ClientUsage {
  generated_images: number;
  output_tokens?: number;
  total_tokens?: number;
}
export interface ClientResult {
  images: ClientImage[];
  usage?: ClientUsage;
  model: string;
  created: number;
}
export type ClientEvent = { type: 'image'; image: ClientImage };
export interface SeedreamTransport {
  generate(params: ClientGenerateParams, ctx: { signal: AbortSignal; onEvent?: (event: ClientEvent) => void }): Promise<ClientResult>;
}
export type ClientErrorKind =
  | 'validation'
  | 'bad_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'rate_limit'
  | 'content_policy'
  | 'upstream'
  | 'timeout'
  | 'network'
  | 'aborted';

const CLIENT_ERROR_BRAND = Symbol.for('seedream-kit.client-error');

export interface SeedreamClientErrorInit {
  status?: number;
  fields?: Array<{ path: string; message: string }>;
  retryAfter?: number;
  requestId?: string;
  partialResult?: ClientResult;
  cause?: unknown;
}

export class SeedreamClientError extends Error {
  override name = 'SeedreamClientError';
  readonly kind: ClientErrorKind;
  status?: number;
  fields?: Array<{ path: string; message: string }>;
  retryAfter?: number;
  requestId?: string;
  partialResult?: ClientResult;
  constructor(kind: ClientErrorKind, message: string, init: SeedreamClientErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = kind;
    Object.defineProperty(this, CLIENT_ERROR_BRAND, { value: true });
    if (init.status !== undefined) this.status = init.status;
    if (init.fields) this.fields = init.fields;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    if (init.requestId) this.requestId = init.requestId;
    if (init.partialResult) this.partialResult = init.partialResult;
  }
}

/** True for a SeedreamClientError from any copy of this package or of @seedream-kit/react. */
export function isSeedreamClientError(value: unknown): value is SeedreamClientError {
  return typeof value === 'object' && value !== null && Boolean((value as Record<symbol, unknown>)[CLIENT_ERROR_BRAND]);
}

// ── The transport ────────────────────────────────────────────────────────────────────────────────────────────
export interface GraphQLTransportOptions {
  /** The GraphQL endpoint, e.g. `/graphql`. */
  url: string;
  /** Extra headers (e.g. authorization), or a function returning them per call. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  fetch?: typeof globalThis.fetch;
}

const IMAGE = 'index url b64Json @include(if: $b64) size width height outputFormat error { code message }';
const USAGE = 'usage { generatedImages outputTokens totalTokens }';
export const GENERATE_MUTATION = `mutation SeedreamGenerate($input: GenerateImagesInput!, $b64: Boolean!) { generateImages(input: $input) { images { ${IMAGE} } ${USAGE} model created requestId } }`;
export const GENERATION_SUBSCRIPTION = `subscription SeedreamGeneration($input: GenerateImagesInput!, $b64: Boolean!) { imageGeneration(input: $input) { __typename model created ... on ImageGenerated { image { ${IMAGE} } } ... on ImageFailed { image { ${IMAGE} } } ... on GenerationCompleted { ${USAGE} requestId } } }`;

const KINDS: Record<string, ClientErrorKind> = {
  BAD_USER_INPUT: 'validation',
  UNAUTHENTICATED: 'authentication',
  FORBIDDEN: 'permission',
  RATE_LIMITED: 'rate_limit',
  CONTENT_FILTERED: 'content_policy',
  UPSTREAM_ERROR: 'upstream',
  TIMEOUT: 'timeout',
  ABORTED: 'aborted',
  NOT_FOUND: 'not_found',
};

interface GqlError {
  message?: string;
  extensions?: { code?: string; fields?: Array<{ field?: string; param?: string; message?: string }>; field?: string; retryAfter?: number; requestId?: string };
}
interface GqlImage {
  index: number;
  url?: string | null;
  b64Json?: string | null;
  size?: string | null;
  width?: number | null;
  height?: number | null;
  outputFormat?: string | null;
  error?: { code: string; message: string } | null;
}
interface GqlUsage {
  generatedImages: number;
  outputTokens?: number | null;
  totalTokens?: number | null;
}

export function createGraphQLTransport(options: GraphQLTransportOptions): SeedreamTransport {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return {
    async generate(params, ctx) {
      const { signal } = ctx;
      const b64 = params.response_format === 'b64_json';
      const input = await toInput(params);
      const extra = typeof options.headers === 'function' ? await options.headers() : (options.headers ?? {});
      const body = JSON.stringify({ query: params.stream ? GENERATION_SUBSCRIPTION : GENERATE_MUTATION, variables: { input, b64 } });
      const accept = params.stream ? 'text/event-stream' : 'application/graphql-response+json, application/json';
      let response: Response;
      try {
        response = await doFetch(options.url, { method: 'POST', headers: { ...extra, 'content-type': 'application/json', accept }, body, signal });
      } catch (error) {
        throw failure(error, signal);
      }
      if (!params.stream || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        const payload = await readJson(response, signal);
        if (payload.errors?.length) throw fromGraphQLErrors(payload.errors, response.status);
        const data = payload.data?.generateImages as { images: GqlImage[]; usage?: GqlUsage | null; model: string; created: number } | undefined;
        if (!data) throw new SeedreamClientError(response.ok ? 'upstream' : 'network', `The GraphQL endpoint answered ${response.status} without a result.`, { status: response.status });
        const result: ClientResult = { images: data.images.map(toClientImage), model: data.model, created: data.created };
        if (data.usage) result.usage = toClientUsage(data.usage);
        return result;
      }
      return readSubscription(response, ctx);
    },
  };
}

async function readJson(response: Response, signal: AbortSignal): Promise<{ data?: Record<string, unknown> | null; errors?: GqlError[] }> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw failure(error, signal);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new SeedreamClientError(response.ok ? 'upstream' : 'network', `The GraphQL endpoint answered ${response.status} with no GraphQL result.`, { status: response.status });
  }
}

async function readSubscription(response: Response, ctx: { signal: AbortSignal; onEvent?: (event: ClientEvent) => void }): Promise<ClientResult> {
  const result: ClientResult = { images: [], model: '', created: 0 };
  const partial = () => (result.images.length ? { ...result, images: [...result.images].sort((a, b) => a.index - b.index) } : undefined);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let completed = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
        }
        if (event === 'complete') {
          if (!completed) throw new SeedreamClientError('network', 'The generation stream ended before it completed.', { partialResult: partial() });
          return { ...result, images: partial()?.images ?? [] };
        }
        if (event !== 'next' || !data.length) continue;
        const payload = JSON.parse(data.join('\n')) as { data?: { imageGeneration?: Record<string, any> | null } | null; errors?: GqlError[] };
        if (payload.errors?.length) throw fromGraphQLErrors(payload.errors, response.status, partial());
        const item = payload.data?.imageGeneration;
        if (!item) continue;
        result.model = item.model;
        result.created = item.created;
        if (item.__typename === 'GenerationCompleted') {
          completed = true;
          if (item.usage) result.usage = toClientUsage(item.usage);
        } else if (item.image) {
          const image = toClientImage(item.image);
          result.images.push(image);
          ctx.onEvent?.({ type: 'image', image });
        }
      }
    }
  } catch (error) {
    if (isSeedreamClientError(error)) throw error;
    throw failure(error, ctx.signal, partial());
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (completed) return { ...result, images: partial()?.images ?? [] };
  throw new SeedreamClientError('network', 'The generation stream ended before it completed.', { partialResult: partial() });
}

function failure(error: unknown, signal: AbortSignal, partialResult?: ClientResult): SeedreamClientError {
  if (signal.aborted) return new SeedreamClientError('aborted', 'The generation was cancelled.', { cause: signal.reason, partialResult });
  return new SeedreamClientError('network', 'The GraphQL endpoint could not be reached.', { cause: error, partialResult });
}

function fromGraphQLErrors(errors: GqlError[], status: number, partialResult?: ClientResult): SeedreamClientError {
  const first = errors[0] ?? {};
  const ext = first.extensions ?? {};
  const kind = KINDS[ext.code ?? ''] ?? (status >= 500 ? 'upstream' : 'bad_request');
  const fields = ext.fields?.map((f) => ({ path: f.param ?? f.field ?? '', message: f.message ?? '' }));
  return new SeedreamClientError(kind, first.message ?? 'The GraphQL request failed.', {
    status,
    ...(fields?.length ? { fields } : {}),
    ...(typeof ext.retryAfter === 'number' ? { retryAfter: ext.retryAfter } : {}),
    ...(ext.requestId ? { requestId: ext.requestId } : {}),
    partialResult,
  });
}

function toClientImage(image: GqlImage): ClientImage {
  const out: ClientImage = { index: image.index };
  if (image.error) {
    out.error = { code: image.error.code, message: image.error.message };
    return out;
  }
  if (image.b64Json) {
    out.b64_json = image.b64Json;
    out.url = `data:image/${image.outputFormat === 'PNG' ? 'png' : 'jpeg'};base64,${image.b64Json}`;
  } else if (image.url) out.url = image.url;
  if (image.size) out.size = image.size;
  if (typeof image.width === 'number') out.width = image.width;
  if (typeof image.height === 'number') out.height = image.height;
  return out;
}

function toClientUsage(usage: GqlUsage): ClientUsage {
  const out: ClientUsage = { generated_images: usage.generatedImages };
  if (typeof usage.outputTokens === 'number') out.output_tokens = usage.outputTokens;
  if (typeof usage.totalTokens === 'number') out.total_tokens = usage.totalTokens;
  return out;
}

const ENUMS: Record<string, Record<string, string>> = {
  response_format: { url: 'URL', b64_json: 'B64_JSON' },
  output_format: { png: 'PNG', jpeg: 'JPEG' },
  background: { transparent: 'TRANSPARENT', opaque: 'OPAQUE' },
};
const upper = (field: string, value: unknown) => (typeof value === 'string' ? (ENUMS[field]?.[value] ?? value.toUpperCase()) : value);

/** Core's wire params to the GraphQL input (Blobs and Files become data URIs). */
export async function toInput(params: ClientGenerateParams): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = { prompt: params.prompt };
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) input[key] = value;
  };
  set('model', params.model);
  if (params.image !== undefined) input.images = await Promise.all((Array.isArray(params.image) ? params.image : [params.image]).map(toImageString));
  set('size', params.size);
  if (params.sequential_image_generation) input.sequential = params.sequential_image_generation === 'auto';
  set('maxImages', params.sequential_image_generation_options?.max_images);
  set('seed', params.seed);
  set('guidanceScale', params.guidance_scale);
  set('watermark', params.watermark);
  set('responseFormat', upper('response_format', params.response_format));
  set('outputFormat', upper('output_format', params.output_format));
  set('optimizePromptMode', upper('mode', params.optimize_prompt_options?.mode));
  if (params.tools?.some((tool) => tool.type === 'web_search')) input.webSearch = true;
  set('layerDecomposition', params.layer_decomposition);
  set('background', upper('background', params.background));
  return input;
}

async function toImageString(image: ClientImageInput): Promise<string> {
  if (typeof image === 'string') return image;
  const bytes = new Uint8Array(await image.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/${sniff(bytes) ?? (image.type.startsWith('image/') ? image.type.slice(6).toLowerCase() : 'png')};base64,${btoa(binary)}`;
}

/** The format from the first bytes (a File's declared type can lie, and the API checks the bytes). */
function sniff(b: Uint8Array): string | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 2) === 'BM') return 'bmp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(4, 8) === 'ftyp') return /hei[cx]/.test(ascii(8, 12)) ? 'heic' : /mif1|msf1|heif/.test(ascii(8, 12)) ? 'heif' : undefined;
  return undefined;
}
