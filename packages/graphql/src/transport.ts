/**
 * `@seedream-kit/graphql/transport`: a browser-side `SeedreamTransport` (the contract of @seedream-kit/react's
 * `useSeedream`) that runs on this package's GraphQL API. Plain fetch, no graphql-js: the mutation for one-shot
 * calls, the subscription over GraphQL-over-SSE (distinct connections mode) for `stream: true`. Every call is a
 * job on the server: `resume` is `resumeGeneration` over SSE, `cancel` the `cancelGeneration` mutation.
 */
import {
  CLIENT_ERROR_KINDS,
  clientErrorKindForCode,
  clientErrorKindForStatus,
  GRAPHQL_INPUT_CODECS,
  isSeedreamClientError,
  readServerSentEvents,
  SeedreamClientError,
  toImageString,
  type ClientGenerateParams,
  type ClientImage,
  type ClientResult,
  type ClientUsage,
  type SeedreamTransport,
  type TransportContext,
  type UploadTarget,
} from '@seedream-kit/core/transport';

// The contract shared with @seedream-kit/react's `useSeedream` lives in core; re-exported for convenience.
export { isSeedreamClientError, SeedreamClientError } from '@seedream-kit/core/transport';
export type {
  ClientEvent,
  ClientGenerateParams,
  ClientImage,
  ClientImageInput,
  ClientResult,
  ClientUsage,
  SeedreamClientErrorInit,
  SeedreamClientErrorKind,
  SeedreamClientErrorKind as ClientErrorKind,
  SeedreamTransport,
  TransportContext,
} from '@seedream-kit/core/transport';

// ── The transport ────────────────────────────────────────────────────────────────────────────────────────────
export interface GraphQLTransportOptions {
  /** The GraphQL endpoint, e.g. `/graphql`. */
  url: string;
  /** Extra headers (e.g. authorization), or a function returning them per call. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  fetch?: typeof globalThis.fetch;
  /** Upload Files and Blobs here first (`createUploadHandler`) and send their handles, so the request stays small.
   *  Without it they travel inline as data URIs. */
  uploadUrl?: string;
}

// `b64Json` is null unless B64_JSON was asked for, so selecting it always costs nothing.
const IMAGE = 'index url b64Json size width height outputFormat error { code message }';
const USAGE = 'usage { generatedImages outputTokens totalTokens }';
// Both subscriptions answer under the alias `e`, so one reader serves them.
const EVENT = `{ __typename jobId model created ... on ImageGenerated { image { ${IMAGE} } } ... on ImageFailed { image { ${IMAGE} } } ... on GenerationCompleted { ${USAGE} requestId } }`;
export const GENERATE_MUTATION = `mutation SeedreamGenerate($input: GenerateImagesInput!, $key: String) { generateImages(input: $input, idempotencyKey: $key) { jobId images { ${IMAGE} } ${USAGE} model created requestId } }`;
export const GENERATION_SUBSCRIPTION = `subscription SeedreamGeneration($input: GenerateImagesInput!, $key: String) { e: imageGeneration(input: $input, idempotencyKey: $key) ${EVENT} }`;
export const RESUME_SUBSCRIPTION = `subscription SeedreamResume($id: ID!) { e: resumeGeneration(jobId: $id) ${EVENT} }`;
export const CANCEL_MUTATION = 'mutation SeedreamCancel($id: ID, $key: String) { cancelGeneration(jobId: $id, idempotencyKey: $key) { state } }';

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
  const headers = async () => (typeof options.headers === 'function' ? await options.headers() : (options.headers ?? {}));
  const post = async (
    query: string,
    variables: Record<string, unknown>,
    init: { signal?: AbortSignal; keepalive?: boolean },
    extra?: Record<string, string>,
  ) => {
    const accept = query[0] === 's' ? 'text/event-stream' : 'application/graphql-response+json, application/json';
    try {
      return await doFetch(options.url, {
        ...init,
        method: 'POST',
        headers: { ...(extra ?? (await headers())), 'content-type': 'application/json', accept },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw failure(error, init.signal);
    }
  };
  return {
    async generate(params, ctx) {
      const { signal } = ctx;
      const extra = await headers();
      const input = await toInput(params, options.uploadUrl ? { url: options.uploadUrl, headers: extra, fetch: doFetch, signal } : undefined);
      return read(await post(params.stream ? GENERATION_SUBSCRIPTION : GENERATE_MUTATION, { input, key: ctx.idempotencyKey }, { signal }, extra), ctx);
    },
    resume: async (jobId, ctx) => read(await post(RESUME_SUBSCRIPTION, { id: jobId }, { signal: ctx.signal }), ctx),
    async cancel({ jobId, idempotencyKey }) {
      // Before the job's id arrived, the call's idempotency key names it. keepalive: sent even as the page closes.
      await post(CANCEL_MUTATION, { id: jobId, key: jobId ? undefined : idempotencyKey }, { keepalive: true });
    },
  };
}

/** The subscription's SSE, or one JSON answer: the mutation's result, or the errors of either. */
async function read(response: Response, ctx: TransportContext): Promise<ClientResult> {
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) return readSubscription(response, ctx);
  const payload = await readJson(response, ctx.signal);
  if (payload.errors?.length) throw fromGraphQLErrors(payload.errors, response.status);
  const data = payload.data?.generateImages as { jobId: string; images: GqlImage[]; usage?: GqlUsage | null; model: string; created: number } | undefined;
  if (!data)
    throw new SeedreamClientError(kindOfAnswer(response), `The GraphQL endpoint answered ${response.status} without a result.`, { status: response.status });
  ctx.onJob?.(data.jobId);
  const result: ClientResult = { images: data.images.map(toClientImage), model: data.model, created: data.created };
  if (data.usage) result.usage = toClientUsage(data.usage);
  return result;
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
    throw new SeedreamClientError(kindOfAnswer(response), `The GraphQL endpoint answered ${response.status} with no GraphQL result.`, {
      status: response.status,
    });
  }
}

async function readSubscription(response: Response, ctx: TransportContext): Promise<ClientResult> {
  const result: ClientResult = { images: [], model: '', created: 0 };
  const partial = () => (result.images.length ? { ...result, images: [...result.images].sort((a, b) => a.index - b.index) } : undefined);
  let completed = false;
  try {
    for await (const { event, data } of readServerSentEvents(response.body!)) {
      if (event === 'complete') {
        if (!completed) throw new SeedreamClientError('network', 'The generation stream ended before it completed.', { partialResult: partial() });
        return { ...result, images: partial()?.images ?? [] };
      }
      if (event !== 'next') continue;
      const payload = JSON.parse(data) as { data?: { e?: Record<string, any> | null } | null; errors?: GqlError[] };
      if (payload.errors?.length) throw fromGraphQLErrors(payload.errors, response.status, partial());
      const item = payload.data?.e;
      if (!item) continue;
      if (item.__typename === 'GenerationStarted') ctx.onJob?.(item.jobId);
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
  } catch (error) {
    if (isSeedreamClientError(error)) throw error;
    throw failure(error, ctx.signal, partial());
  }
  if (completed) return { ...result, images: partial()?.images ?? [] };
  throw new SeedreamClientError('network', 'The generation stream ended before it completed.', { partialResult: partial() });
}

function failure(error: unknown, signal: AbortSignal | undefined, partialResult?: ClientResult): SeedreamClientError {
  if (signal?.aborted) return new SeedreamClientError('aborted', CLIENT_ERROR_KINDS.aborted.message, { cause: signal.reason, partialResult });
  return new SeedreamClientError('network', CLIENT_ERROR_KINDS.network.message, { cause: error, partialResult });
}

/** An answer without a GraphQL result: a 200 is the server's failure, an error status (a proxy's page) reads as its kind. */
function kindOfAnswer(response: Response) {
  return response.ok ? 'upstream' : clientErrorKindForStatus(response.status);
}

function fromGraphQLErrors(errors: GqlError[], status: number, partialResult?: ClientResult): SeedreamClientError {
  const first = errors[0] ?? {};
  const ext = first.extensions ?? {};
  // The code's kind (CLIENT_ERROR_KINDS); a code the table does not know reads as the kind of the HTTP status.
  const kind = clientErrorKindForCode(ext.code) ?? clientErrorKindForStatus(status);
  const fields = ext.fields?.map((f) => ({ path: f.param ?? f.field ?? '', message: f.message ?? '' }));
  return new SeedreamClientError(kind, first.message ?? CLIENT_ERROR_KINDS[kind].message, {
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

/**
 * Core's wire params to the GraphQL input, field by field as core's parameter table maps them
 * (`GRAPHQL_INPUT_CODECS`); Blobs and Files become upload handles with `upload`, else data URIs. Unknown fields
 * and `stream` (the choice of operation) are not part of the input.
 */
export async function toInput(params: ClientGenerateParams, upload?: UploadTarget): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const wire in GRAPHQL_INPUT_CODECS) {
    const [field, codec, nested] = GRAPHQL_INPUT_CODECS[wire]!;
    let value: any = params[wire];
    if (nested) value = value?.[nested];
    if (value === undefined || value === null) continue;
    if (codec === 'list') value = await Promise.all((Array.isArray(value) ? value : [value]).map((item) => toImageString(item, upload)));
    // Any string upper-cased: the server's enum refuses what is not one of its values.
    else if (codec === 'enum') value = typeof value === 'string' ? value.toUpperCase() : value;
    else if (codec === 'flag') value = value === 'auto';
    else if (codec === 'webSearch') {
      if (!(Array.isArray(value) && value.some((tool) => tool?.type === 'web_search'))) continue;
      value = true;
    }
    input[field] = value;
  }
  return input;
}
