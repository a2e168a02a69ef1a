/**
 * `createResolvers`: the resolver map of the Seedream schema module, bound to one core client, one spending
 * policy and one set of durable jobs (`@seedream-kit/core/server`, the same objects the route of
 * @seedream-kit/react takes). Every paid field goes through the policy before anything is sent upstream:
 * authorize (fails closed) → allow-list, limits and core validation → budgets and the rate-limit hook; then this
 * module's per-operation cost limit. A generation then runs as a job: it outlives the request, its id is in the
 * mutation's result and the subscription's first event, and its owner can read, resume or cancel it.
 */
import { CLIENT_ERROR_KINDS, decodeBase64, encodeBase64, MAX_IMAGES_PER_REQUEST, resolveCapabilities } from '@seedream-kit/core';
import type { GenerateParams, GenerateResult, ImageStream, ModelCapabilities, RequestOptions } from '@seedream-kit/core';
import { createJobs, isIdempotencyKey, isSpendingPolicyError, requestFingerprint, toSpendingPolicy } from '@seedream-kit/core/server';
import type {
  Caller,
  JobEvent,
  JobsOptions,
  JobView,
  SeedreamJobs,
  SpendingPolicy,
  SpendingPolicyError,
  SpendingPolicyOptions,
  WireError,
} from '@seedream-kit/core/server';
import type { ClientImage, ClientUsage } from '@seedream-kit/core/transport';
import type { GraphQLError, GraphQLFieldResolver } from 'graphql';
import { badUserInput, imageErrorMessage, kindError, seedreamError, toGraphQLError } from './errors.js';
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
  /** Where generations run as jobs: a `createJobs()` object (share it with the route of @seedream-kit/react, so
   *  one idempotency key and one job id work through both), or its options. Default: jobs in this process's
   *  memory, kept running when the caller disconnects. */
  jobs?: SeedreamJobs | Omit<JobsOptions, 'client'>;
  /** Per-operation cost limits (paid fields and images per GraphQL operation). */
  limits?: SeedreamLimits;
  /** The Fetch-API request the policy authorizes. Default: `context.request` (yoga and other Fetch-API servers). */
  getRequest?: (context: TContext) => Request | undefined;
  /** The request's abort signal (stops following a job, not the job). Default: the request's signal, or `context.signal`. */
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

/** What the subscriptions send: every event names its job; `Error` is one last event whose `resolve` throws. */
type Event =
  | { __typename: 'GenerationStarted'; jobId: string; model: string; created: number }
  | { __typename: 'ImageGenerated' | 'ImageFailed'; jobId: string; model: string; created: number; image: ImageSource }
  | { __typename: 'GenerationCompleted'; jobId: string; model: string; created: number; usage: UsageSource | null; requestId: string | null }
  | { __typename: 'Error'; error: unknown };

interface UsageSource {
  generatedImages: number;
  outputTokens: number | null;
  totalTokens: number | null;
  inputImages: number | null;
  webSearches: number | null;
}

type Subscriber<TArgs> = {
  subscribe: GraphQLFieldResolver<unknown, any, TArgs, Promise<AsyncIterableIterator<unknown>>>;
  resolve: GraphQLFieldResolver<unknown, any>;
};
type GenerateArgs = { input: GenerateImagesInput; idempotencyKey?: string | null };

/** A type alias, not an interface: Apollo Server's `resolvers` type needs an implicit index signature. */
export type SeedreamResolvers = {
  Query: { seedreamModels: GraphQLFieldResolver<unknown, any>; generationJob: GraphQLFieldResolver<unknown, any, { id: string }> };
  Mutation: {
    generateImages: GraphQLFieldResolver<unknown, any, GenerateArgs>;
    cancelGeneration: GraphQLFieldResolver<unknown, any, { jobId?: string | null; idempotencyKey?: string | null }>;
  };
  Subscription: { imageGeneration: Subscriber<GenerateArgs>; resumeGeneration: Subscriber<{ jobId: string }> };
  ImageGenerationEvent: { __resolveType: (event: { __typename: string }) => string };
  SeedreamImage: { b64Json: (image: ImageSource) => string | null };
};

function toUsage(usage: ClientUsage | undefined): UsageSource | null {
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

/** The encoding: as the job logged it (the API's report, or what the request asked for), else the model's rule. */
function outputFormatOf(image: ClientImage, model: string): 'PNG' | 'JPEG' | null {
  const caps = resolveCapabilities(model);
  const format = image.output_format ?? (caps.outputFormat || caps.known ? 'jpeg' : undefined);
  return format === 'png' ? 'PNG' : format === 'jpeg' || format === 'jpg' ? 'JPEG' : null;
}

/** A logged image as a `SeedreamImage`: a data: URI (a b64 result) becomes bytes again, so `b64Json` works and `url` stays null. */
function toImage(image: ClientImage, model: string): ImageSource {
  if (image.error) return { index: image.index, error: { code: image.error.code, message: imageErrorMessage(image.error.code) } };
  const inline = image.url?.startsWith('data:') ? image.url : undefined;
  return {
    index: image.index,
    url: inline ? null : (image.url ?? null),
    ...(inline ? { bytes: decodeBase64(inline.slice(inline.indexOf(',') + 1)) } : {}),
    size: image.size ?? null,
    width: image.width ?? null,
    height: image.height ?? null,
    outputFormat: outputFormatOf(image, model),
    error: null,
  };
}

const byIndex = (a: ImageSource, b: ImageSource) => a.index - b.index;

/**
 * A job's failure (as its log keeps it) in this module's codes, as `toGraphQLError` maps the error it came from:
 * the image service refusing the input (its 400, or 404 for a model) is BAD_USER_INPUT on the input field; its
 * 401/403 concern the server's own key, so they read UPSTREAM_ERROR. Messages are the kind's, except core's own
 * words for a cancel or an interruption.
 */
export function fromWireError(wire: WireError): GraphQLError {
  const extra: Record<string, unknown> = wire.requestId ? { requestId: wire.requestId } : {};
  switch (wire.kind) {
    case 'validation':
      return badUserInput((wire.fields ?? []).map(({ path, message }) => ({ field: toInputPath(path), param: path, message })));
    case 'bad_request':
    case 'not_found': {
      const param = wire.kind === 'not_found' ? 'model' : (wire.fields?.[0]?.path ?? '');
      const field = param ? toInputPath(param) : 'input';
      const fields = [{ field, param, message: 'refused by the image service' }];
      return kindError('validation', { ...extra, field, fields }, `The image service refused ${field === 'input' ? 'the input' : field}.`);
    }
    case 'authentication':
    case 'permission':
      return kindError('upstream', extra);
    case 'rate_limit':
      return kindError('rate_limit', { ...extra, ...(wire.retryAfter !== undefined ? { retryAfter: wire.retryAfter } : {}) });
    case 'aborted':
    case 'interrupted':
      return kindError(wire.kind, extra, wire.message);
    default:
      return kindError(wire.kind, extra);
  }
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

/** Runs a policy or jobs call; its refusals (403, 404 of a job, 422 of a reused key, 503 of the store) in this module's codes. */
async function refusing<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw isSpendingPolicyError(error) ? fromPolicyError(error) : error;
  }
}

function toJobs(jobs: SeedreamResolverOptions['jobs'], client: SeedreamClientLike): SeedreamJobs {
  if (jobs && typeof (jobs as SeedreamJobs).follow === 'function') return jobs as SeedreamJobs;
  return createJobs({ ...(jobs as Omit<JobsOptions, 'client'> | undefined), client: client as unknown as JobsOptions['client'] });
}

/** A job the caller started or attached to, or re-attaches to. */
interface Attached {
  jobId: string;
  caller: Caller;
  /** The model asked for (events name the one that answered, once known). */
  model: string;
  signal: AbortSignal | undefined;
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
  const jobs = toJobs(options.jobs, client);
  const budgets = new OperationBudgets(limits.maxGenerationsPerOperation, limits.maxImagesPerOperation);
  const getRequest = options.getRequest ?? defaultRequest;
  const getSignal = options.getSignal ?? ((context: TContext) => getRequest(context)?.signal ?? (context as { signal?: AbortSignal } | undefined)?.signal);
  const getKey = options.getOperationKey ?? defaultKey;
  const listedModels = () => policy.models.map((id) => resolveCapabilities(id));

  function requestOf(context: TContext): Request {
    const request = getRequest(context);
    if (!request) throw seedreamError('FORBIDDEN', 'No request to authorize this operation against.');
    return request;
  }

  /** Reading, resuming or cancelling a job: the caller the policy names for `'job'` (the one that owns it). */
  const owner = (context: TContext) => refusing(() => policy.identify(requestOf(context), 'job'));

  /**
   * A paid field: the job its idempotency key already names (nothing is spent again), or a new one once the
   * policy admitted it (authorize → allow-list, limits and core validation → budgets and the rate-limit hook;
   * then this module's per-operation cost limit).
   */
  async function begin(
    context: TContext,
    operation: SeedreamOperation,
    input: GenerateImagesInput,
    idempotencyKey: string | null | undefined,
  ): Promise<Attached> {
    const request = requestOf(context);
    const key = getKey(context);
    if (!key) throw seedreamError('FORBIDDEN', 'No request context to count this operation against.');
    if (idempotencyKey != null && !isIdempotencyKey(idempotencyKey)) {
      throw badUserInput([{ field: 'idempotencyKey', param: 'idempotencyKey', message: '1 to 255 visible ASCII characters' }]);
    }
    const kind = operation === 'imageGeneration' ? 'stream' : 'generate';
    const body = toGenerateParams(input, client.model);
    const signal = getSignal(context);
    return refusing(async () => {
      const caller = await policy.identify(request, kind);
      const fingerprint = idempotencyKey == null ? undefined : await requestFingerprint({ operation, input: body });
      const existing = fingerprint === undefined ? undefined : await jobs.findIdempotent(caller, idempotencyKey!, fingerprint);
      if (existing) return { jobId: existing, caller, model: String(body.model), signal };
      const admission = await policy.admit({
        caller,
        request,
        operation: kind,
        body,
        defaultModel: client.model,
        imageCap: Math.min(MAX_IMAGES_PER_REQUEST, budgets.remainingImages(key)),
      });
      try {
        budgets.take(key, admission.images);
      } catch (error) {
        await admission.settle({ generated: 0 }); // refused before any call: nothing was spent
        throw error;
      }
      const model = String(admission.params.model ?? client.model);
      // The subscription streams wherever the model can (others send every image at the end); the mutation never does.
      const params: GenerateParams = { ...admission.params, stream: kind === 'stream' && resolveCapabilities(model).stream };
      const idempotency = fingerprint === undefined ? {} : { idempotencyKey: idempotencyKey!, fingerprint };
      const { jobId } = await jobs.start({ admission: { ...admission, params }, context: request, ...idempotency });
      return { jobId, caller, model, signal };
    });
  }

  /** A caller that left before the end: the job keeps running, unless `onDisconnect: 'cancel'`. */
  const leftEarly = ({ jobId, caller }: Attached) => {
    if (jobs.onDisconnect === 'cancel') void jobs.cancel(jobId, caller).catch(() => undefined);
  };

  /** The job's log (replayed, then live) until its end. Leaving early keeps the job running, unless `onDisconnect: 'cancel'`. */
  async function* follow(job: Attached, signal: AbortSignal | undefined): AsyncGenerator<JobEvent, void, undefined> {
    const { jobId, caller } = job;
    let ended = false;
    try {
      for await (const { event } of jobs.follow(jobId, caller, signal ? { signal } : {})) {
        ended = event.type !== 'image';
        yield event;
      }
    } catch (error) {
      throw isSpendingPolicyError(error) ? fromPolicyError(error) : error;
    } finally {
      if (!ended) leftEarly(job);
    }
  }

  /** The whole log of a job once it has ended (the mutation answers only then), or undefined if the caller left. */
  async function outcome(job: Attached, signal: AbortSignal | undefined): Promise<JobEvent[] | undefined> {
    const entries = await refusing(() => jobs.outcome(job.jobId, job.caller, signal ? { signal } : {}));
    if (!entries) leftEarly(job);
    return entries?.map((entry) => entry.event);
  }

  const generateImages: SeedreamResolvers['Mutation']['generateImages'] = async (_root, { input, idempotencyKey }, context) => {
    const job = await begin(context as TContext, 'generateImages', input, idempotencyKey);
    const images: ImageSource[] = [];
    for (const event of (await outcome(job, job.signal)) ?? []) {
      if (event.type === 'image') images.push(toImage(event.image, event.model ?? job.model));
      else if (event.type === 'error') throw fromWireError(event.error);
      else {
        return {
          jobId: job.jobId,
          images: images.sort(byIndex),
          usage: toUsage(event.usage),
          model: event.model,
          created: event.created,
          requestId: event.requestId ?? null,
        };
      }
    }
    // The caller left before the end; the job goes on (resume it by id) unless the jobs cancel on disconnect.
    throw kindError('aborted');
  };

  /** A subscription over the job's events. `return()` (the client left) stops following at once, even mid-wait. */
  function subscription(job: Attached, started: boolean): AsyncIterableIterator<Event> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    if (job.signal?.aborted) onAbort();
    else job.signal?.addEventListener('abort', onAbort, { once: true });
    const { jobId } = job;
    const events = (async function* (): AsyncGenerator<Event, void, undefined> {
      let model = job.model;
      let created = Math.floor(Date.now() / 1000);
      if (started) yield { __typename: 'GenerationStarted', jobId, model, created };
      try {
        for await (const event of follow(job, controller.signal)) {
          if (event.type === 'image') {
            model = event.model ?? model;
            created = event.created ?? created;
            const image = toImage(event.image, model);
            yield { __typename: image.error ? 'ImageFailed' : 'ImageGenerated', jobId, model, created, image };
          } else if (event.type === 'done') {
            const usage = toUsage(event.usage);
            yield { __typename: 'GenerationCompleted', jobId, model: event.model, created: event.created, usage, requestId: event.requestId ?? null };
          } else yield { __typename: 'Error', error: fromWireError(event.error) };
        }
      } catch (error) {
        // Sent as one last event whose `resolve` throws: an error result with the code, after the images so far.
        if (!controller.signal.aborted) yield { __typename: 'Error', error };
      }
    })();
    return {
      next: () => events.next(),
      return: async () => {
        controller.abort();
        job.signal?.removeEventListener('abort', onAbort);
        await events.return(undefined).catch(() => undefined);
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** A job as `GenerationJob`. */
  function toJob(view: JobView) {
    const model = view.result?.model ?? client.model;
    const images = view.images.map((image) => toImage(image, model));
    let error = null;
    if (view.error) {
      const mapped = fromWireError(view.error);
      error = { code: mapped.extensions.code, message: mapped.message, requestId: view.error.requestId ?? null, retryAfter: view.error.retryAfter ?? null };
    }
    const done = view.result;
    return {
      id: view.id,
      state: view.state.toUpperCase(),
      images,
      result: done
        ? {
            jobId: view.id,
            images: done.images.map((image) => toImage(image, done.model)).sort(byIndex),
            usage: toUsage(done.usage),
            model: done.model,
            created: done.created,
            requestId: view.requestId ?? null,
          }
        : null,
      error,
    };
  }

  const resolveEvent = (source: unknown) => {
    const event = source as Event;
    if (event.__typename === 'Error') throw toGraphQLError(event.error);
    return event;
  };

  return {
    Query: {
      seedreamModels: () => listedModels().map(toModel),
      generationJob: async (_root, { id }, context) => {
        const caller = await owner(context as TContext);
        return toJob(await refusing(() => jobs.get(id, caller)));
      },
    },
    Mutation: {
      generateImages,
      cancelGeneration: async (_root, { jobId, idempotencyKey }, context) => {
        const caller = await owner(context as TContext);
        if ((jobId == null) === (idempotencyKey == null)) {
          throw badUserInput([{ field: 'jobId', param: 'jobId', message: 'give either jobId or idempotencyKey' }]);
        }
        return toJob(
          await refusing(async () => {
            const id = jobId ?? (isIdempotencyKey(idempotencyKey) ? await jobs.byKey(caller, idempotencyKey) : undefined);
            // An unknown key reads like an unknown id (and like someone else's job).
            return jobs.cancel(id ?? '', caller);
          }),
        );
      },
    },
    Subscription: {
      imageGeneration: {
        subscribe: async (_root, { input, idempotencyKey }, context) =>
          subscription(await begin(context as TContext, 'imageGeneration', input, idempotencyKey), true),
        resolve: resolveEvent,
      },
      resumeGeneration: {
        subscribe: async (_root, { jobId }, context) => {
          const caller = await owner(context as TContext);
          await refusing(() => jobs.get(jobId, caller)); // NOT_FOUND before anything is sent
          return subscription({ jobId, caller, model: client.model, signal: getSignal(context as TContext) }, false);
        },
        resolve: resolveEvent,
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
