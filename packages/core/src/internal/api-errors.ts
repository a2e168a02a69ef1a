/**
 * Turns an error answer into the right APIError subclass. Reads both the provider's envelope
 * (`{"error":{"code","message","param","type"}}`) and CometAPI's (`type: "comet_api_error"`), the storage
 * host's (`{"Code","Message"}`), a bare `{"message"}`, and bodies that are not JSON at all. The class is chosen
 * by `error.code` first (docs/api-contract.md §10: the same code has been seen under different statuses), then by status.
 */
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  type APIErrorInit,
} from '../errors.js';
import type { GenerateResult } from '../types.js';

export interface ProviderError {
  code?: string | undefined;
  message?: string | undefined;
  param?: string | undefined;
  type?: string | undefined;
}

const CONTENT_POLICY = /SensitiveContent|RiskDetection|ContentSecurity/i;
const RATE_LIMIT = /RateLimit|RequestBurstTooFast|ServerOverloaded|QuotaExceeded|SetLimitExceeded|InflightBatchsizeExceeded/i;
/** Error `type` words of the provider, for errors that arrive inside a 200 (body or stream). */
const TYPE_STATUS: Record<string, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  TooManyRequests: 429,
  InternalServerError: 500,
  ServiceUnavailable: 503,
};
const REQUEST_ID_IN_MESSAGE = /request[ _-]?id[\s:=]+([A-Za-z0-9][A-Za-z0-9._-]{5,})/i;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);
/** Any object, arrays included (unlike isPlainObject: `{"error": []}` counts as an error envelope here). */
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Removes the API key (and any bearer token) from text that may be shown or logged. */
export function scrubSecret(value: string, secret: string | undefined): string {
  let out = value;
  if (secret && secret.length >= 6) out = out.split(secret).join('***');
  return out.replace(/Bearer\s+[^\s"',;)]+/gi, 'Bearer ***');
}

/**
 * Whether a string parsed from this JSON text can hold `secret`. Without a backslash every parsed string (and
 * property name) is a slice of the text, so a text that does not hold the secret yields none that does; an escape
 * (`\u0073k-…`, `\/`) can spell it, so then the parsed value has to be walked. Lets the common answer skip the walk.
 */
export function jsonMayHoldSecret(text: string, secret: string | undefined): boolean {
  return secret !== undefined && secret.length >= 6 && (text.includes(secret) || text.includes('\\'));
}

/**
 * A successful payload with the key removed from every string in it, property names included (a hostile or broken
 * gateway may echo the Authorization header into `model`, `url`, `size` or any field). Copies only what changes;
 * `b64_json` values are image data and are left as they are. Results are scrubbed like errors: nothing the client
 * returns holds the key.
 */
export function scrubResultStrings<T>(value: T, secret: string | undefined): T {
  if (!secret || secret.length < 6) return value;
  const scrub = (text: string) => (text.includes(secret) ? text.split(secret).join('***') : text);
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return scrub(node);
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < node.length; index++) {
        const item: unknown = node[index];
        const clean = walk(item);
        if (clean !== item) (copy ??= [...node])[index] = clean;
      }
      return copy ?? node;
    }
    if (typeof node === 'object' && node !== null) {
      const source = node as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      for (const key of Object.keys(source)) {
        const item = source[key];
        const clean = key === 'b64_json' ? item : walk(item);
        const cleanKey = scrub(key);
        if (clean === item && cleanKey === key) continue;
        copy ??= { ...source };
        if (cleanKey !== key) delete copy[key];
        // defineProperty, not assignment: a `__proto__` key stays a plain property.
        Object.defineProperty(copy, cleanKey, { value: clean, enumerable: true, writable: true, configurable: true });
      }
      return copy ?? node;
    }
    return node;
  };
  return walk(value) as T;
}

/** A copy of a parsed body with the secret scrubbed from every string in it. */
function scrubBody(body: unknown, secret: string | undefined): unknown {
  if (body === undefined || body === null) return body;
  if (typeof body === 'string') return scrubSecret(body, secret);
  try {
    const text = JSON.stringify(body);
    const clean = scrubSecret(text, secret);
    return clean === text ? body : JSON.parse(clean);
  } catch {
    return undefined;
  }
}

/** The error object of a parsed body, in whichever envelope it came. */
export function providerErrorOf(body: unknown): ProviderError | undefined {
  if (!isObject(body)) return undefined;
  const error = body.error;
  if (isObject(error)) {
    return { code: text(error.code), message: text(error.message) ?? text(error.msg), param: text(error.param), type: text(error.type) };
  }
  if (typeof error === 'string' && error) return { message: error };
  if (typeof body.Code === 'string') return { code: body.Code, message: text(body.Message) };
  if (typeof body.message === 'string' && !('data' in body)) {
    return { code: text(body.code), message: body.message, type: text(body.type) };
  }
  return undefined;
}

export function requestIdOf(headers: Headers | undefined, message?: string): string | undefined {
  return headers?.get('x-request-id') ?? headers?.get('x-tt-logid') ?? (message ? REQUEST_ID_IN_MESSAGE.exec(message)?.[1] : undefined) ?? undefined;
}

/** Milliseconds the server asks to wait: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const header = headers.get('retry-after');
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export interface ErrorSource {
  status: number;
  headers?: Headers | undefined;
  error: ProviderError;
  body?: unknown;
  apiKey?: string | undefined;
  partialResult?: GenerateResult | undefined;
  /** Prefix of the message, e.g. `"stream error"`; default the status. */
  context?: string;
}

/** The APIError subclass for a provider error. */
export function createAPIError(source: ErrorSource): APIError {
  const { status, headers, error } = source;
  const providerMessage = scrubSecret(error.message ?? '', source.apiKey);
  const code = error.code ? scrubSecret(error.code, source.apiKey) : undefined;
  const requestId = requestIdOf(headers, providerMessage);
  const prefix = source.context ?? String(status);
  const message = `${prefix} ${code ? `${code}: ` : ''}${providerMessage || 'no error message'}`.trim();
  const init: APIErrorInit = {
    status,
    message,
    code,
    param: error.param ? scrubSecret(error.param, source.apiKey) : undefined,
    type: error.type ? scrubSecret(error.type, source.apiKey) : undefined,
    headers,
    body: scrubBody(source.body, source.apiKey),
    requestId,
    partialResult: source.partialResult,
  };
  const effective = status >= 300 ? status : (TYPE_STATUS[error.type ?? ''] ?? status);
  if (code && CONTENT_POLICY.test(code)) return new ContentPolicyError(init);
  if (effective === 429 || (code && RATE_LIMIT.test(code))) {
    const wait = headers ? retryAfterMs(headers) : undefined;
    return new RateLimitError({ ...init, retryAfter: wait === undefined ? undefined : wait / 1000 });
  }
  if (effective === 400) return new BadRequestError(init);
  if (effective === 401) return new AuthenticationError(init);
  if (effective === 403) return new PermissionDeniedError(init);
  if (effective === 404) return new NotFoundError(init);
  if (effective >= 500 || (code && /^Internal/i.test(code))) return new InternalServerError(init);
  return new APIError(init);
}

/** Builds the error for an HTTP error answer from its body text (read by the caller). */
export function apiErrorFromBody(
  response: Pick<Response, 'status' | 'statusText' | 'headers'>,
  bodyText: string | undefined,
  apiKey: string | undefined,
): APIError {
  const { status, statusText, headers } = response;
  const scrubbed = bodyText === undefined ? undefined : scrubSecret(bodyText, apiKey);
  let parsed: unknown;
  let isJson = false;
  if (scrubbed !== undefined && scrubbed.trim() !== '') {
    try {
      parsed = JSON.parse(scrubbed);
      isJson = true;
    } catch {
      parsed = undefined;
    }
  }
  const providerError = isJson ? providerErrorOf(parsed) : undefined;
  if (providerError) return createAPIError({ status, headers, error: providerError, body: parsed, apiKey });
  // Not the JSON we know (an HTML page from a proxy, an empty body): a short message that repeats nothing.
  const contentType = headers.get('content-type')?.split(';')[0] ?? 'no content type';
  const size = bodyText === undefined ? 'unreadable' : `${new TextEncoder().encode(bodyText).length} bytes`;
  const what = isJson ? 'a JSON body without an error object' : bodyText ? 'a body that is not JSON' : 'an empty body';
  return createAPIError({
    status,
    headers,
    error: { message: `HTTP ${status}${statusText ? ` ${statusText}` : ''} with ${what} (${contentType}, ${size})` },
    body: scrubbed === undefined ? undefined : isJson ? parsed : scrubbed.slice(0, 500),
    apiKey,
    context: '',
  });
}
