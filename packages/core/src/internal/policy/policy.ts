/**
 * The spending policy: who may spend, on which models, how much per request, and how much per window. Defined
 * once, framework-free; the route of @seedream-kit/react and the schema of @seedream-kit/graphql both take the
 * same policy object, so an app states its rules once and both adapters enforce exactly them.
 *
 * Order of checks, before any paid call: authorize (fails closed) → body cap → parameters a browser may set
 * (unknown keys dropped at every depth) → model allow-list → request limits → injected `max_images` → core
 * validation → budget (per caller, then global) → the app's rate-limit hook.
 */
import { APIError, isSeedreamValidationError } from '../../errors.js';
import { getModelCapabilities, models as modelTable } from '../../models.js';
import type { GenerateParams, ValidationOptions } from '../../types.js';
import { hasValidationErrors, validateParams } from '../../validation.js';
import { pickBrowserParams } from '../parameters.js';
import { exceedsCodePoints } from '../text-limits.js';
import { type BudgetStore, type BudgetWindow, MemoryBudgetStore } from './budget.js';
import { readJsonObject } from './body.js';
import { SpendingPolicyError, refuseField } from './errors.js';
import { type UploadStore, isUploadHandle } from './uploads.js';

/** The operations an adapter asks about: paid ones, `upload`, `read` (free, such as the model list) and `job`
 *  (read, resume or cancel one of the caller's own jobs: answer with the same caller id as for `generate`). */
export type PolicyOperation = 'generate' | 'stream' | 'upload' | 'read' | 'job';

/** Who is calling. `id` keys the per-caller budget (and, later, job ownership). */
export interface Caller {
  id: string;
}

/**
 * `authorize`'s answer: a caller (`{ id }` or an id string) or `true` (an anonymous caller: every such call shares
 * the one budget of the caller id `"anonymous"`); `false`, `null`, `undefined` or a throw → 403; `'unauthenticated'` → 401.
 */
export type AuthorizeVerdict = Caller | string | boolean | 'unauthenticated' | null | undefined;

/** `true` / `{ allowed: true }` lets the call through; `false` / `{ allowed: false, retryAfter? }` refuses it with 429. */
export type RateLimitVerdict = boolean | { allowed: boolean; retryAfter?: number; message?: string };

export interface SpendingCall {
  caller: Caller;
  request: Request;
  operation: PolicyOperation;
  /** The params about to be sent (validated, with `max_images` injected). */
  params: GenerateParams;
  /** The most images this call can produce (what the budget counted). */
  images: number;
}

export interface PolicyLimits {
  /** Most images one request may produce (`max_images`, injected when a group request leaves it out). Default 4. */
  maxImagesPerRequest: number;
  /** Most reference images per request. Default 10. */
  maxReferenceImages: number;
  /** Longest prompt, in Unicode code points. Default 2 000. */
  maxPromptLength: number;
  /** Largest body of an authorized paid request, in bytes. Default 1 MiB (upload references, name them by handle). */
  maxBodyBytes: number;
  /** Largest body of a request before (or without) authorization: public operations. Default 16 KiB. */
  maxPublicBodyBytes: number;
}

export const DEFAULT_POLICY_LIMITS: Readonly<PolicyLimits> = Object.freeze({
  maxImagesPerRequest: 4,
  maxReferenceImages: 10,
  maxPromptLength: 2000,
  maxBodyBytes: 1024 * 1024,
  maxPublicBodyBytes: 16 * 1024,
});

export interface BudgetOptions {
  /** Images per caller per window. Default 60 per hour; `false` turns it off. */
  perCaller: BudgetWindow | false;
  /** Images for all callers together per window: the ceiling of an app that forgets. Default 600 per hour; `false` turns it off. */
  global: BudgetWindow | false;
  /** Where the counters live. Default: this process's memory. */
  store: BudgetStore;
}

export const DEFAULT_BUDGET: Readonly<Omit<BudgetOptions, 'store'>> = Object.freeze({
  perCaller: Object.freeze({ images: 60, windowSeconds: 3600 }),
  global: Object.freeze({ images: 600, windowSeconds: 3600 }),
});

export interface SpendingPolicyOptions {
  /** Required. Decides from the request (session cookie, token) who the caller is; fails closed. */
  authorize: (request: Request, operation: PolicyOperation) => AuthorizeVerdict | Promise<AuthorizeVerdict>;
  /** Models a caller may ask for (any spelling of a table model). Default: the Seedream table; other models are opt-in. */
  models?: readonly string[];
  limits?: Partial<PolicyLimits>;
  /** Image budgets; both windows are on unless turned off. `false` turns budgets off entirely (not advised). */
  budget?: Partial<BudgetOptions> | false;
  /** The app's own check, after validation and the budget and before the upstream call. A throw refuses with 500. */
  rateLimit?: (call: SpendingCall) => RateLimitVerdict | Promise<RateLimitVerdict>;
  /** Core validation options (keep them equal to the client's). */
  validation?: ValidationOptions;
  /** Where uploaded reference images are kept; requests may then name them by handle in `image`. */
  uploads?: UploadStore;
}

/** A request that passed the policy: what to send, and how to settle the budget afterwards. */
export interface Admission {
  caller: Caller;
  params: GenerateParams;
  images: number;
  /**
   * Call once the generation is over: gives back the images that were counted but not produced. After an error,
   * everything is given back when the API refused the request outright (nothing was billed), nothing otherwise.
   */
  settle(outcome: { generated: number; error?: unknown }): Promise<void>;
}

export interface AdmitInput {
  caller: Caller;
  request: Request;
  operation: PolicyOperation;
  /** The caller's parameters (a parsed JSON body, or an adapter's input mapped to wire names). */
  body: Record<string, unknown>;
  /** The model when the body names none (the client's). */
  defaultModel: string;
  /** A tighter cap for the injected `max_images` of this one call (GraphQL's per-operation room). */
  imageCap?: number;
}

export interface SpendingPolicy {
  readonly limits: Readonly<PolicyLimits>;
  /** The allowed model ids (canonical), for a model list. */
  readonly models: readonly string[];
  /** The caller, or a SpendingPolicyError (403/401). Asked once per request and operation kind. */
  identify(request: Request, operation: PolicyOperation): Promise<Caller>;
  /** Like `identify`, but undefined instead of a refusal (to pick a body cap before parsing). */
  tryIdentify(request: Request, operation: PolicyOperation): Promise<Caller | undefined>;
  /** The request's JSON object body under the body cap for `caller` (the public cap when there is none). */
  readBody(request: Request, caller: Caller | undefined): Promise<Record<string, unknown>>;
  /** Checks a paid call and books its images; throws a SpendingPolicyError. */
  admit(input: AdmitInput): Promise<Admission>;
}

const ANONYMOUS: Caller = Object.freeze({ id: 'anonymous' });

function toCaller(verdict: AuthorizeVerdict): Caller | 'unauthenticated' | undefined {
  if (verdict === true) return ANONYMOUS;
  if (verdict === 'unauthenticated') return 'unauthenticated';
  if (typeof verdict === 'string' && verdict !== '') return { id: verdict };
  if (typeof verdict === 'object' && verdict !== null && typeof verdict.id === 'string' && verdict.id !== '') return verdict;
  return undefined;
}

function checkLimits(limits: PolicyLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new RangeError(`createSpendingPolicy: limits.${name} must be a non-negative integer`);
  }
}

/** Errors after which the API certainly billed nothing: it refused the request before generating. */
function refusedUnbilled(error: unknown): boolean {
  if (isSeedreamValidationError(error)) return true;
  return error instanceof APIError && [400, 401, 403, 404, 429].includes(error.status ?? 0);
}

export function createSpendingPolicy(options: SpendingPolicyOptions): SpendingPolicy {
  if (typeof options?.authorize !== 'function') {
    throw new TypeError('createSpendingPolicy: `authorize(request)` is required (return a caller id to allow a caller); spending fails closed');
  }
  const limits: PolicyLimits = { ...DEFAULT_POLICY_LIMITS, ...stripUndefined(options.limits ?? {}) };
  checkLimits(limits);
  const budget = options.budget === false ? undefined : { ...DEFAULT_BUDGET, store: new MemoryBudgetStore(), ...stripUndefined(options.budget ?? {}) };
  const allowedModels = (options.models ?? modelTable.map((caps) => caps.id)).map((id) => getModelCapabilities(id).id);
  const allowed = new Set(allowedModels);
  const identified = new WeakMap<Request, Map<PolicyOperation, Promise<Caller | 'unauthenticated' | undefined>>>();

  function ask(request: Request, operation: PolicyOperation) {
    let perRequest = identified.get(request);
    if (!perRequest) identified.set(request, (perRequest = new Map()));
    let answer = perRequest.get(operation);
    if (!answer) {
      answer = (async () => toCaller(await options.authorize(request, operation)))().catch(() => undefined);
      perRequest.set(operation, answer);
    }
    return answer;
  }

  async function identify(request: Request, operation: PolicyOperation): Promise<Caller> {
    const caller = await ask(request, operation);
    if (caller === 'unauthenticated') throw new SpendingPolicyError('authentication', 401, 'Sign in to generate images');
    if (!caller) throw new SpendingPolicyError('permission', 403, 'Not allowed');
    return caller;
  }

  async function book(caller: Caller, images: number): Promise<(amount: number) => Promise<void>> {
    if (!budget || images === 0) return async () => {};
    const taken: Array<{ key: string; windowStart: number }> = [];
    const giveBack = async (amount: number) => {
      for (const { key, windowStart } of taken) await budget.store.give(key, amount, windowStart);
    };
    const windows: Array<[string, BudgetWindow | false]> = [
      [`caller:${caller.id}`, budget.perCaller],
      ['global', budget.global],
    ];
    for (const [key, window] of windows) {
      if (!window) continue;
      const result = await budget.store.take(key, images, window.images, window.windowSeconds * 1000);
      if (!result.ok) {
        await giveBack(images);
        const retryAfter = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
        const whose = key === 'global' ? 'this site' : 'you';
        throw new SpendingPolicyError('rate_limit', 429, `The image budget for ${whose} is used up; try again in ${retryAfter} s`, { retryAfter });
      }
      taken.push({ key, windowStart: result.windowStart });
    }
    return giveBack;
  }

  async function admit(input: AdmitInput): Promise<Admission> {
    const { caller, request, operation } = input;
    const params = pickBrowserParams(input.body) as GenerateParams;

    const model = typeof params.model === 'string' && params.model !== '' ? params.model : input.defaultModel;
    if (!allowed.has(getModelCapabilities(model).id)) throw refuseField('model', `not offered here; use one of: ${allowedModels.join(', ')}`);
    if (typeof params.prompt === 'string' && exceedsCodePoints(params.prompt, limits.maxPromptLength)) {
      throw refuseField('prompt', `at most ${limits.maxPromptLength} characters`);
    }
    const references = params.image === undefined ? 0 : Array.isArray(params.image) ? params.image.length : 1;
    if (references > limits.maxReferenceImages) throw refuseField('image', `at most ${limits.maxReferenceImages} reference images`);
    if (params.image !== undefined && options.uploads) params.image = await resolveUploads(params.image, caller, options.uploads);

    const sequential = params.sequential_image_generation_options;
    const maxImages = sequential?.max_images;
    if (typeof maxImages === 'number' && maxImages > limits.maxImagesPerRequest) {
      throw refuseField('sequential_image_generation_options.max_images', `at most ${limits.maxImagesPerRequest} images per request`);
    }
    if (params.sequential_image_generation === 'auto' && maxImages === undefined) {
      // Without it the provider may make up to 15 images: the bill is capped here.
      const cap = Math.min(limits.maxImagesPerRequest, input.imageCap ?? Number.POSITIVE_INFINITY, 15 - references);
      params.sequential_image_generation_options = { ...sequential, max_images: Math.max(1, cap) };
    }

    const validation: ValidationOptions = { defaultModel: input.defaultModel, ...options.validation, promptMaxLength: limits.maxPromptLength };
    const issues = validateParams(params, validation).filter((issue) => issue.severity === 'error');
    if (hasValidationErrors(issues)) {
      const fields = issues.map(({ path, message }) => ({ path, message }));
      throw new SpendingPolicyError('validation', 400, fields.map((f) => `${f.path || '(request)'}: ${f.message}`).join('; '), { fields });
    }

    const images = plannedImages(params);
    const giveBack = await book(caller, images);
    if (options.rateLimit) {
      let verdict: RateLimitVerdict;
      try {
        verdict = await options.rateLimit({ caller, request, operation, params, images });
      } catch {
        await giveBack(images);
        throw new SpendingPolicyError('upstream', 500, 'The request could not be checked');
      }
      // Only an explicit yes lets the call through: a hook that returns nothing refuses (fails closed).
      const allowedByHook = verdict === true || (typeof verdict === 'object' && verdict !== null && verdict.allowed === true);
      if (!allowedByHook) {
        await giveBack(images);
        const detail: { retryAfter?: number; message?: string } = typeof verdict === 'object' && verdict !== null ? verdict : {};
        throw new SpendingPolicyError(
          'rate_limit',
          429,
          detail.message ?? 'Too many requests; try again later',
          detail.retryAfter !== undefined ? { retryAfter: detail.retryAfter } : {},
        );
      }
    }

    let settled = false;
    return {
      caller,
      params,
      images,
      async settle({ generated, error }) {
        if (settled) return;
        settled = true;
        // A failure that the API may have billed (a timeout, an abort, a broken stream) keeps its count: stopping
        // a generation does not refund it.
        const unused = error === undefined ? images - generated : refusedUnbilled(error) ? images : 0;
        if (unused > 0) await giveBack(unused);
      },
    };
  }

  return {
    limits,
    models: allowedModels,
    identify,
    async tryIdentify(request, operation) {
      const caller = await ask(request, operation);
      return typeof caller === 'object' ? caller : undefined;
    },
    readBody: (request, caller) => readJsonObject(request, caller ? limits.maxBodyBytes : limits.maxPublicBodyBytes),
    admit,
  };
}

/**
 * What every adapter's `policy` option takes: a policy object as it is, or one built from its options. Anything
 * else throws: spending fails closed. `owner` names the adapter in the message.
 */
export function toSpendingPolicy(policy: SpendingPolicy | SpendingPolicyOptions | undefined, owner = 'toSpendingPolicy'): SpendingPolicy {
  const candidate = policy as Partial<SpendingPolicy & SpendingPolicyOptions> | undefined;
  if (typeof candidate?.admit === 'function') return candidate as SpendingPolicy;
  if (typeof candidate?.authorize === 'function') return createSpendingPolicy(candidate as SpendingPolicyOptions);
  throw new TypeError(`${owner}: \`policy\` is required (createSpendingPolicy({ authorize }) from @seedream-kit/core/server); spending fails closed`);
}

/** The most images one generation can produce (what the budget counts). */
export function plannedImages(params: GenerateParams): number {
  if (params.sequential_image_generation !== 'auto') return 1;
  const references = params.image === undefined ? 0 : Array.isArray(params.image) ? params.image.length : 1;
  return Math.max(1, Math.min(params.sequential_image_generation_options?.max_images ?? 15, 15 - references));
}

async function resolveUploads(image: unknown, caller: Caller, uploads: UploadStore): Promise<GenerateParams['image']> {
  const resolve = async (item: unknown, path: string) => {
    if (!isUploadHandle(item)) return item;
    const bytes = await uploads.get(item, caller.id);
    if (!bytes) throw refuseField(path, 'unknown or expired upload handle');
    return bytes;
  };
  if (Array.isArray(image)) return (await Promise.all(image.map((item, index) => resolve(item, `image[${index}]`)))) as GenerateParams['image'];
  return (await resolve(image, 'image')) as GenerateParams['image'];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
