/**
 * `createResolvers`: the resolver map of the Seedream schema module, bound to one core client. Every paid field
 * goes through the same gate, in this order, before anything is sent upstream: authorize (fails closed) →
 * validate the input with core's own rules → per-operation budget → rate-limit hook → core.
 */
import {
  encodeBase64,
  getModelCapabilities,
  hasValidationErrors,
  models as modelTable,
  resolveCapabilities,
  validateParams,
  MAX_IMAGES_PER_REQUEST,
} from '@seedream-kit/core';
import type { GeneratedImage, GenerateParams, GenerateResult, ImageStream, ModelCapabilities, RequestOptions, Usage, ValidationOptions } from '@seedream-kit/core';
import type { GraphQLFieldResolver } from 'graphql';
import { badUserInput, fromValidationIssues, imageErrorMessage, seedreamError, toGraphQLError } from './errors.js';
import { plannedImages, toGenerateParams } from './input.js';
import type { GenerateImagesInput } from './input.js';
import { DEFAULT_LIMITS, OperationBudgets } from './limits.js';
import type { SeedreamLimits } from './limits.js';

/** The part of core's `SeedreamClient` the resolvers use (a `createSeedream()` client fits). */
export interface SeedreamClientLike {
  readonly model: string;
  generate(params: GenerateParams & { stream: true }, options?: RequestOptions): Promise<ImageStream>;
  generate(params: GenerateParams & { stream?: false }, options?: RequestOptions): Promise<GenerateResult>;
}

export type SeedreamOperation = 'generateImages' | 'imageGeneration';

/** `true` lets the call through; `false` / `'forbidden'` → FORBIDDEN; `'unauthenticated'` → UNAUTHENTICATED. */
export type AuthorizeDecision = boolean | 'unauthenticated' | 'forbidden';
/** `true` / `undefined` lets the call through; `false` or `{ allowed: false, retryAfter }` → RATE_LIMITED. */
export type RateLimitDecision = boolean | undefined | void | { allowed: boolean; retryAfter?: number };

export interface SeedreamCallInfo {
  operation: SeedreamOperation;
  /** The core params about to be sent (after validation). */
  params: GenerateParams;
  /** Most images this call can produce (what the budget counted). */
  images: number;
}

export interface SeedreamResolverOptions<TContext = any> {
  /** A core client (`createSeedream({ apiKey, baseURL })`). Keep its key on the server. */
  client: SeedreamClientLike;
  /** Required. Decides whether this caller may generate images; a throw or a falsy answer refuses (fails closed). */
  authorize: (context: TContext, operation: SeedreamOperation) => AuthorizeDecision | Promise<AuthorizeDecision>;
  limits?: SeedreamLimits;
  /** A budget hook, called after validation and before the upstream call (e.g. a token bucket per user). */
  rateLimit?: (context: TContext, info: SeedreamCallInfo) => RateLimitDecision | Promise<RateLimitDecision>;
  /** Allowed model ids (any spelling); others are refused. Default: every model of core's table. */
  models?: readonly string[];
  /** The request's abort signal. Default: `context.request.signal` (yoga, Fetch-API servers) or `context.signal`. */
  getSignal?: (context: TContext) => AbortSignal | undefined;
  /** The object budgets are counted on. Default: `context.request ?? context.req ?? context`, so a batched HTTP request shares one budget. */
  getOperationKey?: (context: TContext) => object;
  /** Core validation options (keep them equal to the client's so both agree). */
  validation?: ValidationOptions;
  /**
   * Paid fields only run for a POST with a JSON body when the context holds a Fetch-API `request` (yoga and
   * other Fetch-API servers): the CSRF guard against cross-site GETs and form posts. Default `true`. Servers
   * without `context.request` (Apollo's Express integration) need their own CSRF prevention.
   */
  requireJsonPost?: boolean;
}

/** What the resolvers put on `SeedreamImage` parents (bytes stay bytes until `b64Json` is selected). */
export interface ImageSource {
  index: number;
  url?: string | null;
  bytes?: Uint8Array;
  size?: string | null;
  width?: number | null;
  height?: number | null;
  outputFormat?: 'PNG' | 'JPEG' | null;
  error?: { code: string; message: string } | null;
}

type Event =
  | { __typename: 'ImageGenerated' | 'ImageFailed'; model: string; created: number; image: ImageSource }
  | { __typename: 'GenerationCompleted'; model: string; created: number; usage: UsageSource | null; requestId: string | null }
  | { __typename: 'Error'; error: unknown };

interface UsageSource {
  generatedImages: number;
  outputTokens: number | null;
  totalTokens: number | null;
  inputImages: number | null;
  webSearches: number | null;
}

export interface SeedreamResolvers {
  Query: { seedreamModels: GraphQLFieldResolver<unknown, any> };
  Mutation: { generateImages: GraphQLFieldResolver<unknown, any, { input: GenerateImagesInput }> };
  Subscription: {
    imageGeneration: {
      subscribe: GraphQLFieldResolver<unknown, any, { input: GenerateImagesInput }, Promise<AsyncIterableIterator<unknown>>>;
      resolve: GraphQLFieldResolver<unknown, any>;
    };
  };
  ImageGenerationEvent: { __resolveType: (event: { __typename: string }) => string };
  SeedreamImage: { b64Json: (image: ImageSource) => string | null };
}

function toUsage(usage: Usage | undefined): UsageSource | null {
  if (!usage) return null;
  const num = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    generatedImages: usage.generated_images,
    outputTokens: num(usage.output_tokens),
    totalTokens: num(usage.total_tokens),
    inputImages: num(usage.input_images),
    webSearches: num(usage.tool_usage?.web_search),
  };
}

function outputFormatOf(image: GeneratedImage, params: GenerateParams, caps: ModelCapabilities): 'PNG' | 'JPEG' | null {
  const raw = (image as { output_format?: unknown }).output_format;
  const reported = typeof raw === 'string' ? raw : undefined;
  const format = reported ?? (caps.outputFormat ? (params.output_format ?? 'jpeg') : caps.known ? 'jpeg' : undefined);
  return format === 'png' ? 'PNG' : format === 'jpeg' || format === 'jpg' ? 'JPEG' : null;
}

function toImage(image: GeneratedImage, params: GenerateParams, caps: ModelCapabilities): ImageSource {
  if (image.error) return { index: image.index, error: { code: image.error.code, message: imageErrorMessage(image.error.code) } };
  return {
    index: image.index,
    url: image.url ?? null,
    ...(image.bytes ? { bytes: image.bytes } : {}),
    size: image.size ?? null,
    width: image.width ?? null,
    height: image.height ?? null,
    outputFormat: outputFormatOf(image, params, caps),
    error: null,
  };
}

function toModel(caps: ModelCapabilities) {
  return {
    id: caps.id,
    name: caps.name,
    family: caps.family,
    aliases: caps.aliases,
    maxReferenceImages: caps.maxReferenceImages,
    requiresReferenceImage: caps.requiresReferenceImage,
    sizePresets: caps.sizePresets,
    defaultSize: caps.defaultSize,
    minPixels: caps.pixelRange[0],
    maxPixels: caps.pixelRange[1],
    sequential: caps.sequential,
    streaming: caps.stream,
    outputFormats: caps.outputFormat ? ['PNG', 'JPEG'] : [],
    maxImages: caps.sequential ? MAX_IMAGES_PER_REQUEST : 1,
    supportsSeed: caps.seed,
    supportsGuidance: caps.guidanceScale,
    optimizePromptModes: caps.optimizePromptModes.map((mode) => mode.toUpperCase()),
    supportsWebSearch: caps.webSearch,
    supportsLayerDecomposition: caps.layerDecomposition,
    supportsBackground: caps.background,
  };
}

const defaultSignal = (context: any): AbortSignal | undefined => context?.request?.signal ?? context?.signal ?? undefined;
const defaultKey = (context: any): object | undefined => {
  const key = context?.request ?? context?.req ?? context;
  return typeof key === 'object' && key !== null ? key : undefined;
};

/** Resolvers of `typeDefs`, in the `{ Type: { field } }` map graphql-tools, Apollo Server and Mercurius take. */
export function createResolvers<TContext = any>(options: SeedreamResolverOptions<TContext>): SeedreamResolvers {
  if (!options || typeof options.authorize !== 'function') {
    throw new TypeError('createResolvers: `authorize` is required (return true to allow a caller); generation is paid and must not be open by default.');
  }
  if (!options.client || typeof options.client.generate !== 'function') throw new TypeError('createResolvers: `client` (a core SeedreamClient) is required.');
  const { client, authorize, rateLimit, validation = {}, requireJsonPost = true } = options;
  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(options.limits ?? {}) };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new RangeError(`createResolvers: limits.${name} must be a non-negative integer.`);
  }
  const budgets = new OperationBudgets(limits.maxGenerationsPerOperation, limits.maxImagesPerOperation);
  const getSignal = options.getSignal ?? defaultSignal;
  const getKey = options.getOperationKey ?? defaultKey;
  const validationOptions: ValidationOptions = {
    ...validation,
    defaultModel: validation.defaultModel ?? client.model,
    ...(limits.maxPromptLength !== undefined ? { promptMaxLength: limits.maxPromptLength } : {}),
  };
  const allowed = options.models ? new Set(options.models.map((id) => getModelCapabilities(id).id)) : undefined;
  const listedModels = () => (options.models ?? modelTable.map((caps) => caps.id)).map((id) => resolveCapabilities(id, validationOptions));

  async function gate(context: TContext, operation: SeedreamOperation, input: GenerateImagesInput) {
    const request = (context as { request?: unknown } | undefined)?.request;
    if (requireJsonPost && isFetchRequest(request) && !isJsonPost(request)) {
      // A GET (an <img src>, an EventSource) or a form / text/plain POST is a request any site can make with the
      // user's cookies and no CORS preflight: it must not start a paid generation (CSRF).
      throw seedreamError('FORBIDDEN', 'Image generation needs a POST with a JSON body (Content-Type: application/json).');
    }
    let decision: AuthorizeDecision;
    try {
      decision = await authorize(context, operation);
    } catch (error) {
      if (error instanceof Error && (error as { extensions?: { code?: unknown } }).extensions?.code) throw error;
      decision = false;
    }
    if (decision === 'unauthenticated') throw seedreamError('UNAUTHENTICATED', 'Sign in to generate images.');
    if (decision !== true) throw seedreamError('FORBIDDEN', 'You may not generate images.');

    const key = getKey(context);
    if (!key) throw seedreamError('FORBIDDEN', 'No request context to count this operation against.');
    const params = toGenerateParams(input, client.model);
    const modelId = params.model as string;
    if (allowed && !allowed.has(getModelCapabilities(modelId).id)) {
      throw badUserInput([{ field: 'model', param: 'model', message: 'this model is not offered here' }]);
    }
    const caps = resolveCapabilities(modelId, validationOptions);
    const references = Array.isArray(params.image) ? params.image.length : params.image === undefined ? 0 : 1;
    if (limits.maxReferenceImages !== undefined && references > limits.maxReferenceImages) {
      throw badUserInput([{ field: 'images', param: 'image', message: `at most ${limits.maxReferenceImages} reference images` }]);
    }
    // A group without maxImages could produce up to 15 paid images: send a cap within the remaining budget.
    if (params.sequential_image_generation === 'auto' && params.sequential_image_generation_options?.max_images === undefined) {
      const room = Math.min(MAX_IMAGES_PER_REQUEST - references, budgets.remainingImages(key));
      if (room >= 1) params.sequential_image_generation_options = { max_images: room };
    }
    const issues = validateParams(params, validationOptions);
    if (hasValidationErrors(issues)) throw fromValidationIssues(issues);

    const images = plannedImages(params);
    budgets.take(key, images);
    if (rateLimit) {
      const verdict = await rateLimit(context, { operation, params, images });
      const refused = verdict === false || (typeof verdict === 'object' && verdict !== null && !verdict.allowed);
      if (refused) {
        const retryAfter = typeof verdict === 'object' && verdict !== null ? verdict.retryAfter : undefined;
        throw seedreamError('RATE_LIMITED', 'Too many image generations; retry later.', retryAfter !== undefined ? { retryAfter } : {});
      }
    }
    return { params, caps, signal: getSignal(context) };
  }

  const generateImages: SeedreamResolvers['Mutation']['generateImages'] = async (_root, { input }, context) => {
    const { params, caps, signal } = await gate(context as TContext, 'generateImages', input);
    let result: GenerateResult;
    try {
      result = await client.generate({ ...params, stream: false }, signal ? { signal } : {});
    } catch (error) {
      throw toGraphQLError(error);
    }
    return {
      images: result.images.map((image) => toImage(image, params, caps)),
      usage: toUsage(result.usage),
      model: result.model,
      created: result.created,
      requestId: result.requestId ?? null,
    };
  };

  const subscribe: SeedreamResolvers['Subscription']['imageGeneration']['subscribe'] = async (_root, { input }, context) => {
    const { params, caps, signal } = await gate(context as TContext, 'imageGeneration', input);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const events = streamEvents(params, caps, controller.signal);
    // return() (the client left, or the server closes) aborts the upstream call at once, even while it is
    // still waiting for its first byte; a plain async generator would only see return() after that await.
    const iterator: AsyncIterableIterator<Event> = {
      next: () => events.next(),
      return: async () => {
        controller.abort();
        signal?.removeEventListener('abort', onAbort);
        await events.return(undefined).catch(() => undefined);
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  };

  async function* streamEvents(params: GenerateParams, caps: ModelCapabilities, signal: AbortSignal): AsyncGenerator<Event, void, undefined> {
    let model = params.model as string;
    let created = Math.floor(Date.now() / 1000);
    try {
      if (!caps.stream) {
        // Models that cannot stream still answer the subscription: every image at the end.
        const result = await client.generate({ ...params, stream: false }, { signal });
        for (const image of result.images) {
          yield { __typename: image.error ? 'ImageFailed' : 'ImageGenerated', model: result.model, created: result.created, image: toImage(image, params, caps) };
        }
        yield { __typename: 'GenerationCompleted', model: result.model, created: result.created, usage: toUsage(result.usage), requestId: result.requestId ?? null };
        return;
      }
      const stream = await client.generate({ ...params, stream: true }, { signal });
      for await (const event of stream) {
        model = event.model || model;
        created = event.created || created;
        if (event.type === 'image_generation.completed') {
          yield { __typename: 'GenerationCompleted', model, created, usage: toUsage(event.usage), requestId: stream.requestId ?? null };
        } else {
          yield { __typename: event.type === 'image_generation.partial_failed' ? 'ImageFailed' : 'ImageGenerated', model, created, image: toImage(event.image, params, caps) };
        }
      }
    } catch (error) {
      // Sent as one last event whose `resolve` throws: an error result with the code, after the images so far.
      if (!signal.aborted) yield { __typename: 'Error', error };
    }
  }

  return {
    Query: {
      seedreamModels: () => listedModels().map(toModel),
    },
    Mutation: { generateImages },
    Subscription: {
      imageGeneration: {
        subscribe,
        resolve: (source: unknown) => {
          const event = source as Event;
          if (event.__typename === 'Error') throw toGraphQLError(event.error);
          return event;
        },
      },
    },
    ImageGenerationEvent: { __resolveType: (event) => event.__typename },
    SeedreamImage: { b64Json: (image) => (image.bytes ? encodeBase64(image.bytes) : null) },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isFetchRequest(value: unknown): value is Request {
  return typeof value === 'object' && value !== null && typeof (value as Request).method === 'string' && typeof (value as Request).headers?.get === 'function';
}

/** A POST whose body is declared JSON (`application/json`, `application/graphql-response+json` …). */
function isJsonPost(request: Request): boolean {
  if (request.method !== 'POST') return false;
  const type = request.headers.get('content-type')?.split(';')[0]!.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
