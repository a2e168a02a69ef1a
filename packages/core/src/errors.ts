/**
 * Error classes of @seedream-kit/core.
 *
 * Every error carries a `Symbol.for('seedream-kit.error')` brand listing its kinds (`['error', 'api',
 * 'rate_limit']`), so checks keep working when an app ends up with two copies of this package (one bundled
 * into a plugin, one in the app): use the `is…()` functions or `instanceof`, which consults the brand too.
 */
import type { GenerateResult, ValidationIssue } from './types.js';

export const SEEDREAM_ERROR_BRAND: unique symbol = Symbol.for('seedream-kit.error');

export type SeedreamErrorKind =
  | 'error'
  | 'api'
  | 'bad_request'
  | 'authentication'
  | 'permission_denied'
  | 'not_found'
  | 'rate_limit'
  | 'content_policy'
  | 'internal_server'
  | 'connection'
  | 'timeout'
  | 'user_abort'
  | 'validation'
  | 'download';

interface ErrorClass {
  kind?: SeedreamErrorKind;
}

function hasKind(value: unknown, kind: SeedreamErrorKind): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const kinds = (value as { [SEEDREAM_ERROR_BRAND]?: unknown })[SEEDREAM_ERROR_BRAND];
  return Array.isArray(kinds) && kinds.includes(kind);
}

/** Kinds of a class and its ancestors, most general first. */
function lineage(target: ErrorClass): SeedreamErrorKind[] {
  const kinds: SeedreamErrorKind[] = [];
  for (let current: unknown = target; typeof current === 'function' && current !== Error; current = Object.getPrototypeOf(current)) {
    if (Object.hasOwn(current, 'kind')) kinds.unshift((current as ErrorClass).kind as SeedreamErrorKind);
  }
  return kinds;
}

export interface SeedreamErrorOptions {
  cause?: unknown;
  /** Images and metadata received before the failure (a failure never loses a paid result). */
  partialResult?: GenerateResult;
  requestId?: string;
}

/** Base class of every error this package throws. */
export class SeedreamError extends Error {
  static readonly kind: SeedreamErrorKind = 'error';
  declare readonly [SEEDREAM_ERROR_BRAND]: readonly SeedreamErrorKind[];
  override name = 'SeedreamError';
  /** The most specific kind, e.g. `'rate_limit'`. */
  readonly kind: SeedreamErrorKind;
  /** Images already received when a call failed part-way (stream cut, error event, timeout, abort). */
  partialResult?: GenerateResult;
  /** `x-request-id` of the response, or the id found in the provider's message. Keep it to ask support. */
  requestId?: string;

  constructor(message: string, options: SeedreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const kinds = lineage(new.target);
    Object.defineProperty(this, SEEDREAM_ERROR_BRAND, { value: Object.freeze(kinds), enumerable: false });
    this.kind = kinds[kinds.length - 1] ?? 'error';
    if (options.partialResult) this.partialResult = options.partialResult;
    if (options.requestId) this.requestId = options.requestId;
  }

  /** `instanceof` also accepts errors made by another copy of this package (same brand and kind). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore-start lint/complexity/noThisInStatic: `this` is the subclass `instanceof` asks about, not this base class
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return Object.hasOwn(this, 'kind') && hasKind(value, (this as ErrorClass).kind as SeedreamErrorKind);
    // biome-ignore-end lint/complexity/noThisInStatic: see above
  }
}

export interface APIErrorInit extends SeedreamErrorOptions {
  status: number;
  message: string;
  code?: string | undefined;
  param?: string | undefined;
  type?: string | undefined;
  headers?: Headers | undefined;
  /** The parsed error body (or a short excerpt of a non-JSON body), with the API key scrubbed. */
  body?: unknown;
}

/** The API answered with an error: an HTTP error status, a top-level `error` in a 200, or `event: error`. */
export class APIError extends SeedreamError {
  static override readonly kind: SeedreamErrorKind = 'api';
  override name = 'APIError';
  /** HTTP status (200 for an error inside a successful response or stream). */
  readonly status: number;
  /** Provider code such as `InvalidParameter` or `RateLimitExceeded.EndpointIPMExceeded` (may be empty). */
  readonly code: string | undefined;
  /** The offending request field, when the provider names one. */
  readonly param: string | undefined;
  /** Provider error type (`BadRequest`, `Unauthorized`, `comet_api_error` …). */
  readonly type: string | undefined;
  readonly headers: Headers;
  readonly body: unknown;

  constructor(init: APIErrorInit) {
    super(init.message, init);
    this.status = init.status;
    this.code = init.code || undefined;
    this.param = init.param || undefined;
    this.type = init.type || undefined;
    this.headers = init.headers ?? new Headers();
    this.body = init.body;
  }
}

/** 400: the request is invalid. Not billed; do not retry unchanged. */
export class BadRequestError extends APIError {
  static override readonly kind: SeedreamErrorKind = 'bad_request';
  override name = 'BadRequestError';
}

/** 401: the key is missing, malformed or invalid (or the base URL is wrong). */
export class AuthenticationError extends APIError {
  static override readonly kind: SeedreamErrorKind = 'authentication';
  override name = 'AuthenticationError';
}

/** 403: access denied, overdue account, model not activated. */
export class PermissionDeniedError extends APIError {
  static override readonly kind: SeedreamErrorKind = 'permission_denied';
  override name = 'PermissionDeniedError';
}

/** 404: unknown model or endpoint, or the model is not available to this key. */
export class NotFoundError extends APIError {
  static override readonly kind: SeedreamErrorKind = 'not_found';
  override name = 'NotFoundError';
}

/** 429 (or a rate-limit code): too many requests or images per minute, a quota or spend cap. */
export class RateLimitError extends APIError {
  static override readonly kind: SeedreamErrorKind = 'rate_limit';
  override name = 'RateLimitError';
  /** Seconds to wait, from `retry-after-ms` or `Retry-After` (seconds or an HTTP date). */
  readonly retryAfter: number | undefined;

  constructor(init: APIErrorInit & { retryAfter?: number | undefined }) {
    super(init);
    this.retryAfter = init.retryAfter;
  }
}

/** The input or the output was refused by content moderation (`…SensitiveContentDetected`, `…RiskDetection`). */
export class ContentPolicyError extends APIError {
  static override readonly kind: SeedreamErrorKind = 'content_policy';
  override name = 'ContentPolicyError';
}

/** 5xx: the provider or the gateway failed. Images may have been generated (and billed) before the failure. */
export class InternalServerError extends APIError {
  static override readonly kind: SeedreamErrorKind = 'internal_server';
  override name = 'InternalServerError';
}

export interface APIConnectionErrorOptions extends SeedreamErrorOptions {
  /** `'connect'`: the request never left (refused, DNS failure): nothing was billed.
   *  `'transfer'`: the connection broke after the request was sent: images may have been billed. */
  phase: 'connect' | 'transfer';
  /** System or undici code of the cause, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  code?: string | undefined;
}

/** The HTTP exchange failed: no connection, a reset, a truncated body. */
export class APIConnectionError extends SeedreamError {
  static override readonly kind: SeedreamErrorKind = 'connection';
  override name = 'APIConnectionError';
  readonly phase: 'connect' | 'transfer';
  readonly code: string | undefined;

  constructor(message: string, options: APIConnectionErrorOptions) {
    super(message, options);
    this.phase = options.phase;
    this.code = options.code;
  }
}

/** The overall deadline (`timeout`) passed, or a stream stayed silent longer than `streamIdleTimeout`. */
export class APITimeoutError extends SeedreamError {
  static override readonly kind: SeedreamErrorKind = 'timeout';
  override name = 'APITimeoutError';
  /** `'deadline'` (the call's `timeout`) or `'idle'` (the stream's `streamIdleTimeout`). */
  readonly phase: 'deadline' | 'idle';
  /** The limit that was hit, in ms. */
  readonly timeout: number;

  constructor(message: string, options: SeedreamErrorOptions & { phase: 'deadline' | 'idle'; timeout: number }) {
    super(message, options);
    this.phase = options.phase;
    this.timeout = options.timeout;
  }
}

/** The caller aborted (its `AbortSignal`, `stream.abort()`, or leaving a `for await` loop early). */
export class APIUserAbortError extends SeedreamError {
  static override readonly kind: SeedreamErrorKind = 'user_abort';
  override name = 'APIUserAbortError';
}

/** The request broke local rules (model capability table); nothing was sent. */
export class SeedreamValidationError extends SeedreamError {
  static override readonly kind: SeedreamErrorKind = 'validation';
  override name = 'SeedreamValidationError';
  /** Every problem found, each with its field path. */
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error');
    const shown = errors.slice(0, 10).map((issue) => `${issue.path || '(request)'}: ${issue.message}`);
    const more = errors.length > shown.length ? `; and ${errors.length - shown.length} more` : '';
    super(`Invalid Seedream request (${errors.length} problem${errors.length === 1 ? '' : 's'}): ${shown.join('; ')}${more}`);
    this.issues = issues;
  }
}

export type DownloadErrorReason = 'invalid-url' | 'protocol' | 'blocked-address' | 'too-many-redirects' | 'http-status' | 'too-large' | 'network';

/** `downloadImage` refused a URL or could not fetch it. */
export class DownloadError extends SeedreamError {
  static override readonly kind: SeedreamErrorKind = 'download';
  override name = 'DownloadError';
  readonly reason: DownloadErrorReason;
  /** HTTP status for `'http-status'`. */
  readonly status: number | undefined;
  /** The refused IP address for `'blocked-address'`. */
  readonly address: string | undefined;

  constructor(message: string, options: SeedreamErrorOptions & { reason: DownloadErrorReason; status?: number | undefined; address?: string | undefined }) {
    super(message, options);
    this.reason = options.reason;
    this.status = options.status;
    this.address = options.address;
  }
}

export const isSeedreamError = (value: unknown): value is SeedreamError => hasKind(value, 'error');
export const isAPIError = (value: unknown): value is APIError => hasKind(value, 'api');
export const isBadRequestError = (value: unknown): value is BadRequestError => hasKind(value, 'bad_request');
export const isAuthenticationError = (value: unknown): value is AuthenticationError => hasKind(value, 'authentication');
export const isPermissionDeniedError = (value: unknown): value is PermissionDeniedError => hasKind(value, 'permission_denied');
export const isNotFoundError = (value: unknown): value is NotFoundError => hasKind(value, 'not_found');
export const isRateLimitError = (value: unknown): value is RateLimitError => hasKind(value, 'rate_limit');
export const isContentPolicyError = (value: unknown): value is ContentPolicyError => hasKind(value, 'content_policy');
export const isInternalServerError = (value: unknown): value is InternalServerError => hasKind(value, 'internal_server');
export const isAPIConnectionError = (value: unknown): value is APIConnectionError => hasKind(value, 'connection');
export const isAPITimeoutError = (value: unknown): value is APITimeoutError => hasKind(value, 'timeout');
export const isAPIUserAbortError = (value: unknown): value is APIUserAbortError => hasKind(value, 'user_abort');
export const isSeedreamValidationError = (value: unknown): value is SeedreamValidationError => hasKind(value, 'validation');
export const isDownloadError = (value: unknown): value is DownloadError => hasKind(value, 'download');
