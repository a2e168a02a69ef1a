/**
 * The Seedream client: `createSeedream(options).generate(params)`.
 *
 * One POST per attempt to `{baseURL}/images/generations`. Before anything is sent the request is validated
 * against the model table and binary reference images become data URIs. Defaults suit a paid, slow,
 * non-idempotent call: a 10-minute deadline, a 3-minute stream idle limit, and no retries.
 */
import { APIError, type APIErrorInit, SeedreamError, SeedreamValidationError, type SeedreamError as SeedreamErrorType } from './errors.js';
import { DEFAULT_MODEL } from './models.js';
import type { GenerateParams, GenerateResult, ImageStream, RequestOptions, RetryOptions, Seedream, SeedreamOptions, ValidationOptions } from './types.js';
import { hasValidationErrors, resolveCapabilities, validateParams } from './validation.js';
import { apiErrorFromBody, jsonMayHoldSecret, requestIdOf } from './internal/api-errors.js';
import { headerIssues, serializeBody, withoutSecretInHeaders } from './internal/request-safety.js';
import { B64JsonReader } from './internal/b64-json-reader.js';
import { CallScope } from './internal/call-scope.js';
import { isBrowserLike, readEnv, redirectMode } from './internal/env.js';
import { isPlainObject } from './internal/plain-object.js';
import { ResultImageStream, SeedreamImageStream } from './internal/image-stream.js';
import { prepareReferenceImages } from './internal/reference-images.js';
import { toResult } from './internal/results.js';
import { retryDelay } from './internal/retry.js';

export const DEFAULT_BASE_URL = 'https://api.cometapi.com/v1';
/** 10 minutes: a group of 15 images can take several minutes. */
export const DEFAULT_TIMEOUT = 600_000;
/** 3 minutes of silence on a stream; the first event alone takes ~30 s. */
export const DEFAULT_STREAM_IDLE_TIMEOUT = 180_000;

const BROWSER_MESSAGE =
  '@seedream-kit/core refuses to use an API key in a browser: anyone who opens the page can read the key and spend your credit. ' +
  'Call Seedream from your server (or a same-origin route that adds the key, with `apiKey: null` here). ' +
  'If you accept the risk (a local tool, a key limited to this page), pass `dangerouslyAllowBrowser: true`.';

/** A failed call as `#retry` needs it: the request to send again, and the retry policy. */
interface RetryCall {
  payload: string;
  headers: Record<string, string>;
  scope: CallScope;
  apiKey: string | undefined;
  stream: boolean;
  maxRetries: number;
  retry: RetryOptions;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new SeedreamError(`\`${name}\` must be a non-negative number`);
  return value;
}

export class SeedreamClient implements Seedream {
  readonly baseURL: string;
  /** Default model id. */
  readonly model: string;
  readonly timeout: number;
  readonly streamIdleTimeout: number;
  readonly maxRetries: number;
  readonly #options: SeedreamOptions;
  readonly #endpoint: string;
  readonly #fetch: typeof globalThis.fetch;
  readonly #validation: ValidationOptions | false;
  /** Client headers, lower-cased once. */
  readonly #baseHeaders: Record<string, string>;
  /** The key once found in the environment (read at the first call, not at import or construction). */
  #envKey: string | undefined;
  #baseHeadersChecked = false;
  /** The last key that passed the checks below (they run once per key, not per call). */
  #checkedKey: string | undefined;
  /** `error` or `manual`: a redirect is never followed (see redirectMode). */
  readonly #redirect: RequestRedirect = redirectMode();

  constructor(options: SeedreamOptions = {}) {
    if (typeof options.apiKey === 'string' && options.apiKey && isBrowserLike() && !options.dangerouslyAllowBrowser) {
      throw new SeedreamError(BROWSER_MESSAGE);
    }
    this.#options = { ...options };
    const baseURL = (options.baseURL ?? readEnv('COMETAPI_BASE_URL') ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    try {
      new URL(baseURL);
    } catch {
      throw new SeedreamError('`baseURL` is not an absolute URL (e.g. https://api.cometapi.com/v1)');
    }
    this.baseURL = baseURL;
    this.#endpoint = `${baseURL}/images/generations`;
    this.model = options.model ?? DEFAULT_MODEL;
    this.timeout = nonNegative('timeout', options.timeout, DEFAULT_TIMEOUT);
    this.streamIdleTimeout = nonNegative('streamIdleTimeout', options.streamIdleTimeout, DEFAULT_STREAM_IDLE_TIMEOUT);
    this.maxRetries = Math.floor(nonNegative('maxRetries', options.maxRetries, 0));
    // Looked up per call, so a fetch patched after construction (test mocks, tracing) is used.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#validation = options.validation === false ? false : { ...options.validation, defaultModel: this.model };
    this.#baseHeaders = { 'content-type': 'application/json' };
    for (const name of Object.keys(options.headers ?? {})) this.#baseHeaders[name.toLowerCase()] = options.headers![name]!;
  }

  /** A client with some options replaced. */
  withOptions(options: SeedreamOptions): SeedreamClient {
    return new SeedreamClient({ ...this.#options, ...options });
  }

  generate(params: GenerateParams & { stream: true }, options?: RequestOptions): Promise<ImageStream>;
  generate(params: GenerateParams & { stream?: false }, options?: RequestOptions): Promise<GenerateResult>;
  generate(params: GenerateParams, options?: RequestOptions): Promise<GenerateResult | ImageStream>;
  async generate(params: GenerateParams, options: RequestOptions = {}): Promise<GenerateResult | ImageStream> {
    if (!isPlainObject(params)) throw new SeedreamValidationError([{ path: '', message: 'params must be an object', severity: 'error' }]);
    // `{ model, ...params }`, not `{ ...params, model }`: the latter makes V8 build a slow dictionary-mode object.
    const body: Record<string, unknown> = { model: this.model, ...params };
    if (body.model === undefined) body.model = this.model;
    const model = typeof body.model === 'string' ? body.model : this.model;

    if (this.#validation) {
      const issues = validateParams(body, this.#validation);
      if (hasValidationErrors(issues)) throw new SeedreamValidationError(issues);
      if (issues.length > 0) this.#options.onWarning?.(issues);
    }
    if (body.image !== undefined && body.image !== null) {
      body.image = await prepareReferenceImages(body.image as GenerateParams['image'] & {}, resolveCapabilities(model, this.#validation || {}));
    }
    const apiKey = this.#apiKey();
    const stream = body.stream === true;
    const headers = this.#headers(apiKey, stream, options.headers);
    const payload = serializeBody(body);
    const scope = new CallScope(options.signal, options.timeout ?? this.timeout, options.streamIdleTimeout ?? this.streamIdleTimeout);
    let handedOver = false;
    try {
      if (scope.cause) throw scope.abortError();
      // The first attempt is awaited here, not in a helper: one async layer less on every call.
      let response: Response | undefined;
      let failure: SeedreamErrorType | undefined;
      if (stream) scope.startIdle(); // for a stream, waiting for the headers (the first image) is silence too
      try {
        response = withoutSecretInHeaders(await this.#fetch(this.#endpoint, this.#init(payload, headers, scope)), apiKey);
      } catch (error) {
        failure = fetchFailure(error, scope, apiKey);
      }
      scope.stopIdle();
      if (!response?.ok) {
        // The retry policy is merged only here: most calls succeed at the first attempt.
        const retry: RetryOptions = { ...this.#options.retry, ...options.retry };
        const maxRetries = options.maxRetries ?? this.maxRetries;
        const firstFailure = failure ?? (await errorFromResponse(response!, scope, apiKey));
        response = await this.#retry(firstFailure, { payload, headers, scope, apiKey, stream, maxRetries, retry });
      }
      const requestId = requestIdOf(response.headers);
      if (stream && !(response.headers.get('content-type') ?? '').includes('json')) {
        handedOver = true;
        scope.clearIdle();
        return new SeedreamImageStream({ response, scope, model, requestId, apiKey });
      }
      const result =
        body.response_format === 'b64_json'
          ? await readB64Result(response, { scope, model, apiKey, requestId })
          : readJsonResult(await readText(response, scope, apiKey, requestId), response, { model, apiKey, requestId });
      return stream ? new ResultImageStream(result) : result;
    } finally {
      if (!handedOver) scope.dispose();
    }
  }

  #apiKey(): string | undefined {
    const option = this.#options.apiKey;
    if (option === null) return undefined;
    const key = option || (this.#envKey ??= readEnv('COMETAPI_KEY'));
    if (!key) {
      throw new SeedreamError(
        'Missing API key: pass `apiKey` to createSeedream() or set the COMETAPI_KEY environment variable (keys: https://api.cometapi.com/console/token).',
      );
    }
    if (key === this.#checkedKey) return key;
    if (isBrowserLike() && !this.#options.dangerouslyAllowBrowser) throw new SeedreamError(BROWSER_MESSAGE);
    if (!/^[\x21-\x7e]+$/.test(key)) throw new SeedreamError('The API key holds spaces or characters an HTTP header cannot carry; check how it was copied.');
    this.#checkedKey = key;
    return key;
  }

  #headers(apiKey: string | undefined, stream: boolean, extra: Record<string, string> | undefined): Record<string, string> {
    // Checked here, not by fetch: fetch's refusal would come after the call was reported as possibly billed.
    if (!this.#baseHeadersChecked) {
      const issues = headerIssues(this.#options.headers ?? {});
      if (issues.length > 0) throw new SeedreamValidationError(issues);
      this.#baseHeadersChecked = true;
    }
    if (extra) {
      const issues = headerIssues(extra);
      if (issues.length > 0) throw new SeedreamValidationError(issues);
    }
    const headers: Record<string, string> = { accept: stream ? 'text/event-stream' : 'application/json', ...this.#baseHeaders };
    if (extra) for (const name of Object.keys(extra)) headers[name.toLowerCase()] = extra[name]!;
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    return headers;
  }

  #init(payload: string, headers: Record<string, string>, scope: CallScope): RequestInit {
    return {
      method: 'POST',
      headers,
      body: payload,
      signal: scope.signal,
      redirect: this.#redirect,
    };
  }

  /** After a failed first attempt: tries again while the retry policy allows, else throws the failure. */
  async #retry(firstFailure: SeedreamErrorType, call: RetryCall): Promise<Response> {
    const { payload, headers, scope, apiKey, stream, maxRetries, retry } = call;
    let failure = firstFailure;
    for (let attempt = 0; ; attempt++) {
      const delay = retryDelay(failure, { attempt, maxRetries, options: retry, remainingMs: scope.remaining() });
      if (delay === undefined) throw failure;
      await scope.sleep(delay);
      if (stream) scope.startIdle();
      try {
        const response = withoutSecretInHeaders(await this.#fetch(this.#endpoint, this.#init(payload, headers, scope)), apiKey);
        if (response.ok) return response;
        failure = await errorFromResponse(response, scope, apiKey);
      } catch (error) {
        failure = fetchFailure(error, scope, apiKey);
      } finally {
        scope.stopIdle();
      }
    }
  }
}

async function errorFromResponse(response: Response, scope: CallScope, apiKey: string | undefined): Promise<SeedreamErrorType> {
  let text: string | undefined;
  try {
    text = await scope.untilAborted(response.text());
  } catch (_error) {
    if (scope.cause) return scope.abortError({ requestId: requestIdOf(response.headers) });
    text = undefined;
  }
  const error = apiErrorFromBody(response, text, apiKey);
  // In browsers a manual redirect is an opaque response with status 0.
  if ((response.status >= 300 && response.status < 400) || response.type === 'opaqueredirect') {
    const location = response.headers.get('location');
    return redirectError(`${response.status} redirect${location ? ` to ${location}` : ''}`, {
      status: response.status,
      headers: response.headers,
      requestId: error.requestId,
      body: error.body,
    });
  }
  return error;
}

/** The error for a fetch that rejected: a refused redirect (`redirect: 'error'`), or else the scope's verdict. */
function fetchFailure(error: unknown, scope: CallScope, apiKey: string | undefined): SeedreamErrorType {
  // Node's fetch rejects a refused redirect with a TypeError whose cause says so; the status is not kept (0,
  // as for a browser's opaque redirect). The server answered, so nothing was billed.
  if (!scope.cause && error instanceof TypeError && /redirect/i.test(String((error.cause as { message?: unknown } | undefined)?.message ?? error.message))) {
    return redirectError('The server answered with a redirect', { status: 0 });
  }
  return scope.failure(error, 'fetch', { apiKey });
}

function redirectError(what: string, init: Omit<APIErrorInit, 'message'>): APIError {
  return new APIError({ ...init, message: `${what}: check \`baseURL\` (it should end in /v1, e.g. https://api.cometapi.com/v1)` });
}

/** The body as text; a failure while reading is a connection error (or the abort that caused it). */
async function readText(response: Response, scope: CallScope, apiKey: string | undefined, requestId: string | undefined): Promise<string> {
  try {
    return await scope.untilAborted(response.text());
  } catch (error) {
    throw scope.failure(error, 'body', { requestId, apiKey });
  }
}

function parseJson(text: string, response: Response, requestId: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidJson(response, text.length, requestId);
  }
}

/** The result of a JSON answer's text; the walk that scrubs the key is skipped when the text cannot hold it. */
function readJsonResult(
  text: string,
  response: Response,
  { model, apiKey, requestId }: { model: string; apiKey: string | undefined; requestId: string | undefined },
): GenerateResult {
  const body = parseJson(text, response, requestId);
  return toResult(body, { headers: response.headers, model, apiKey, requestId, bodyMayHoldSecret: jsonMayHoldSecret(text, apiKey) });
}

/** Reads a `b64_json` answer, decoding the images as the bytes arrive (see B64JsonReader). */
async function readB64Result(
  response: Response,
  { scope, model, apiKey, requestId }: { scope: CallScope; model: string; apiKey: string | undefined; requestId: string | undefined },
): Promise<GenerateResult> {
  const reader = new B64JsonReader();
  try {
    const body = response.body;
    if (body) {
      const chunks = body.getReader();
      const next = () => scope.untilAborted(chunks.read());
      for (let chunk = await next(); !chunk.done; chunk = await next()) reader.push(chunk.value);
    }
  } catch (error) {
    throw scope.failure(error, 'body', { requestId, apiKey });
  }
  let document: ReturnType<B64JsonReader['finish']>;
  try {
    document = reader.finish();
  } catch {
    throw invalidJson(response, reader.bytesRead, requestId);
  }
  return toResult(document.value, { headers: response.headers, model, apiKey, decoded: document.images, requestId });
}

function invalidJson(response: Response, size: number, requestId: string | undefined): APIError {
  const contentType = response.headers.get('content-type')?.split(';')[0] ?? 'no content type';
  return new APIError({
    status: response.status,
    message: `${response.status}: the response body is not valid JSON (${contentType}, ${size} bytes). Images may have been generated and billed${requestId ? `; request id ${requestId}` : ''}.`,
    headers: response.headers,
    requestId,
  });
}

/** Creates a client. Importing and constructing never throw for a missing key; the first request does. */
export function createSeedream(options: SeedreamOptions = {}): SeedreamClient {
  return new SeedreamClient(options);
}
