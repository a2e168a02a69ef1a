/**
 * When to try a failed generation again. A generation is paid and not idempotent, so by default only failures
 * that cannot have been billed are retried: a 429 (the request was refused) and a connection that failed
 * before the request was sent. Everything else needs `retry.unsafeRetryOn`.
 */
import { isAPIConnectionError, isAPIError, isRateLimitError, type SeedreamError } from '../errors.js';
import type { RetryOptions } from '../types.js';
import { retryAfterMs } from './api-errors.js';
import { connectFailure } from './call-scope.js';

export const DEFAULT_RETRY = { initialDelay: 500, maxDelay: 8000, maxRetryAfter: 60_000 } as const;

/** Rate-limit codes that waiting does not fix (a spent quota or spend cap, an overdue account). */
const PERMANENT_LIMITS = /QuotaExceeded|SetLimitExceeded|Overdue/i;

/** True when the failure cannot have produced billed images and trying again may help. */
export function isSafeToRetry(failure: SeedreamError): boolean {
  if (isRateLimitError(failure)) {
    // A refusal (4xx) with a rate-limit code: nothing was generated.
    return failure.status >= 400 && failure.status < 500 && !PERMANENT_LIMITS.test(failure.code ?? '');
  }
  if (isAPIConnectionError(failure)) return failure.phase === 'connect' && connectFailure(failure.code) === 'transient';
  return false;
}

function isOptedIn(failure: SeedreamError, options: RetryOptions): boolean {
  const conditions = options.unsafeRetryOn ?? [];
  if (conditions.length === 0) return false;
  if (isAPIError(failure)) {
    return conditions.includes(failure.status) || (failure.status >= 500 && conditions.includes('server-error'));
  }
  return isAPIConnectionError(failure) && failure.phase === 'transfer' && conditions.includes('connection-lost');
}

/** Exponential backoff with "equal jitter": half the step fixed, half random. */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const initial = options.initialDelay ?? DEFAULT_RETRY.initialDelay;
  const max = options.maxDelay ?? DEFAULT_RETRY.maxDelay;
  const step = Math.min(max, initial * 2 ** attempt);
  return step / 2 + random() * (step / 2);
}

/** Where a call stands when deciding on a retry. */
export interface RetryState {
  /** Retries already made (0 after the first failure). */
  attempt: number;
  maxRetries: number;
  options: RetryOptions;
  /** Milliseconds left before the call's deadline. */
  remainingMs: number;
  /** The jitter source (tests pass a fixed one). Default Math.random. */
  random?: () => number;
}

/**
 * Milliseconds to wait before attempt `attempt + 1`, or undefined to give up (not retryable, attempts used up,
 * a `Retry-After` longer than `maxRetryAfter`, or a wait that would pass the call's deadline).
 */
export function retryDelay(failure: SeedreamError, state: RetryState): number | undefined {
  const { attempt, maxRetries, options, remainingMs, random = Math.random } = state;
  if (attempt >= maxRetries) return undefined;
  if (!isSafeToRetry(failure) && !isOptedIn(failure, options)) return undefined;
  const asked = isAPIError(failure) ? retryAfterMs(failure.headers) : undefined;
  let delay: number;
  if (asked !== undefined) {
    if (asked > (options.maxRetryAfter ?? DEFAULT_RETRY.maxRetryAfter)) return undefined;
    delay = asked + random() * Math.min(1000, asked * 0.1); // never earlier than asked
  } else {
    delay = backoffDelay(attempt, options, random);
  }
  return delay < remainingMs ? delay : undefined;
}
