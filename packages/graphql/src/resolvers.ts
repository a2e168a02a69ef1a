/**
 * `createResolvers`: the resolver map of the Seedream schema module, bound to one core client and one spending
 * policy (`@seedream-kit/core/server`, the same object the route of @seedream-kit/react takes). Every paid field
 * goes through the policy before anything is sent upstream: authorize (fails closed) → allow-list, limits and
 * core validation → budgets and the rate-limit hook; then this module's per-operation cost limit.
 */
import { CLIENT_ERROR_KINDS, encodeBase64, MAX_IMAGES_PER_REQUEST, resolveCapabilities } from '@seedream-kit/core';
import type { GeneratedImage, GenerateParams, GenerateResult, ImageStream, ModelCapabilities, RequestOptions, Usage } from '@seedream-kit/core';
import { isSpendingPolicyError, toSpendingPolicy } from '@seedream-kit/core/server';
import type { Admission, SpendingPolicy, SpendingPolicyError, SpendingPolicyOptions } from '@seedream-kit/core/server';
import type { GraphQLFieldResolver } from 'graphql';
import { badUserInput, imageErrorMessage, seedreamError, toGraphQLError } from './errors.js';
import { toGenerateParams, toInputPath } from './input.js';
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

export interface SeedreamResolverOptions<TContext = any> {
  /** A core client (`createSeedream({ apiKey, baseURL })`). Keep its key on the server. */
  client: SeedreamClientLike;
  /** Required: who may spend, on which models, how much. A `createSpendingPolicy()` object (share it with the
   *  route of @seedream-kit/react), or its options. */
  policy: SpendingPolicy | SpendingPolicyOptions;
  /** Per-operation cost limits (paid fields and images per GraphQL operation). */
  limits?: SeedreamLimits;
  /** The Fetch-API request the policy authorizes. Default: `context.request` (yoga and other Fetch-API servers). */
  getRequest?: (context: TContext) => Request | undefined;
  /** The request's abort signal. Default: the request's signal, or `context.signal`. */
  getSignal?: (context: TContext) => AbortSignal | undefined;
  /** The object budgets are counted on. Default: `context.request ?? context.req ?? context`, so a batched HTTP request shares one budget. */
  getOperationKey?: (context: TContext) => object;
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

/** A type alias, not an interface: Apollo Server's `resolvers` type needs an implicit index signature. */
export type SeedreamResolvers = {
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
};

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

const defaultRequest = (context: any): Request | undefined => (isFetchRequest(context?.request) ? context.request : undefined);
const defaultKey = (context: any): object | undefined => {
  const key = context?.request ?? context?.req ?? context;
  return typeof key === 'object' && key !== null ? key : undefined;
};

/** A policy refusal in this module's codes; field paths in the input's names. */
function fromPolicyError(error: SpendingPolicyError) {
  if (error.fields?.length) return badUserInput(error.fields.map(({ path, message }) => ({ field: toInputPath(path), param: path, message })));
  return seedreamError(CLIENT_ERROR_KINDS[error.kind].code, error.message, error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {});
}

/** Resolvers of `typeDefs`, in the `{ Type: { field } }` map graphql-tools, Apollo Server and Mercurius take. */
export function createResolvers<TContext = any>(options: SeedreamResolverOptions<TContext>): SeedreamResolvers {
  const policy = toSpendingPolicy(options?.policy, 'createResolvers');
  if (!options.client || typeof options.client.generate !== 'function') throw new TypeError('createResolvers: `client` (a core SeedreamClient) is required.');
  const { client } = options;
  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(options.limits ?? {}) };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new RangeError(`createResolvers: limits.${name} must be a non-negative integer.`);
  }
  const budgets = new OperationBudgets(limits.maxGenerationsPerOperation, limits.maxImagesPerOperation);
  const getRequest = options.getRequest ?? defaultRequest;
  const getSignal = options.getSignal ?? ((context: TContext) => getRequest(context)?.signal ?? (context as { signal?: AbortSignal } | undefined)?.signal);
  const getKey = options.getOperationKey ?? defaultKey;
  const listedModels = () => policy.models.map((id) => resolveCapabilities(id));

  async function gate(context: TContext, operation: SeedreamOperation, input: GenerateImagesInput) {
    const request = getRequest(context);
    if (!request) throw seedreamError('FORBIDDEN', 'No request to authorize this operation against.');
    const key = getKey(context);
    if (!key) throw seedreamError('FORBIDDEN', 'No request context to count this operation against.');
    let admission: Admission;
    try {
      const caller = await policy.identify(request, operation === 'imageGeneration' ? 'stream' : 'generate');
      admission = await policy.admit({
        caller,
        request,
        operation: operation === 'imageGeneration' ? 'stream' : 'generate',
        body: toGenerateParams(input, client.model),
        defaultModel: client.model,
        imageCap: Math.min(MAX_IMAGES_PER_REQUEST, budgets.remainingImages(key)),
      });
    } catch (error) {
      if (isSpendingPolicyError(error)) throw fromPolicyError(error);
      throw error;
    }
    try {
      budgets.take(key, admission.images);
    } catch (error) {
      await admission.settle({ generated: 0 }); // refused before any call: nothing was spent
      throw error;
    }
    const caps = resolveCapabilities(admission.params.model ?? client.model);
    return { admission, params: admission.params, caps, signal: getSignal(context) };
  }

  const generateImages: SeedreamResolvers['Mutation']['generateImages'] = async (_root, { input }, context) => {
    const { admission, params, caps, signal } = await gate(context as TContext, 'generateImages', input);
    let result: GenerateResult;
    try {
      result = await client.generate({ ...params, stream: false }, signal ? { signal } : {});
    } catch (error) {
      await admission.settle({ generated: 0, error });
      throw toGraphQLError(error);
    }
    await admission.settle({ generated: result.images.filter((image) => !image.error).length });
    return {
      images: result.images.map((image) => toImage(image, params, caps)),
      usage: toUsage(result.usage),
      model: result.model,
      created: result.created,
      requestId: result.requestId ?? null,
    };
  };

  const subscribe: SeedreamResolvers['Subscription']['imageGeneration']['subscribe'] = async (_root, { input }, context) => {
    const { admission, params, caps, signal } = await gate(context as TContext, 'imageGeneration', input);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const events = streamEvents({ admission, params, caps, signal: controller.signal });
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

  async function* streamEvents({ admission, params, caps, signal }: StreamInput): AsyncGenerator<Event, void, undefined> {
    let model = params.model as string;
    let created = Math.floor(Date.now() / 1000);
    let generated = 0;
    let failure: unknown;
    try {
      if (!caps.stream) {
        // Models that cannot stream still answer the subscription: every image at the end.
        const result = await client.generate({ ...params, stream: false }, { signal });
        generated = result.images.filter((image) => !image.error).length;
        for (const image of result.images) {
          yield {
            __typename: image.error ? 'ImageFailed' : 'ImageGenerated',
            model: result.model,
            created: result.created,
            image: toImage(image, params, caps),
          };
        }
        yield {
          __typename: 'GenerationCompleted',
          model: result.model,
          created: result.created,
          usage: toUsage(result.usage),
          requestId: result.requestId ?? null,
        };
        return;
      }
      const stream = await client.generate({ ...params, stream: true }, { signal });
      for await (const event of stream) {
        model = event.model || model;
        created = event.created || created;
        if (event.type === 'image_generation.completed') {
          yield { __typename: 'GenerationCompleted', model, created, usage: toUsage(event.usage), requestId: stream.requestId ?? null };
        } else {
          if (event.type !== 'image_generation.partial_failed') generated++;
          yield {
            __typename: event.type === 'image_generation.partial_failed' ? 'ImageFailed' : 'ImageGenerated',
            model,
            created,
            image: toImage(event.image, params, caps),
          };
        }
      }
    } catch (error) {
      failure = error;
      // Sent as one last event whose `resolve` throws: an error result with the code, after the images so far.
      if (!signal.aborted) yield { __typename: 'Error', error };
    } finally {
      // Left early (the client went away) counts as a failure: stopping does not refund a generation.
      const error = failure ?? (signal.aborted ? (signal.reason ?? new Error('aborted')) : undefined);
      await admission.settle(error === undefined ? { generated } : { generated, error });
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

interface StreamInput {
  admission: Admission;
  params: GenerateParams;
  caps: ModelCapabilities;
  signal: AbortSignal;
}

function isFetchRequest(value: unknown): value is Request {
  return typeof value === 'object' && value !== null && typeof (value as Request).method === 'string' && typeof (value as Request).headers?.get === 'function';
}
