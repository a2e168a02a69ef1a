/**
 * Maps whatever went wrong on the server to the one JSON shape the browser sees:
 * `{ error: { kind, message, status?, fields?, retryAfter?, requestId? } }`. Never the upstream body, headers or
 * key: messages are either fixed texts or core's (already scrubbed) messages for errors about the request.
 */
import {
  isAPIConnectionError,
  isAPIError,
  isAPITimeoutError,
  isAPIUserAbortError,
  isAuthenticationError,
  isBadRequestError,
  isContentPolicyError,
  isNotFoundError,
  isPermissionDeniedError,
  isRateLimitError,
  isSeedreamValidationError,
} from '@seedream-kit/core';
import type { ClientFieldError, SeedreamClientErrorKind } from '@seedream-kit/core/transport';

export interface WireError {
  kind: SeedreamClientErrorKind;
  message: string;
  status?: number;
  fields?: ClientFieldError[];
  retryAfter?: number;
  requestId?: string;
}

/** Belt and braces: core already scrubs its key, but a message must never carry anything token-like. */
export function scrub(text: string): string {
  return text
    .replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer ***')
    .replace(/\b(sk|ak|key)[-_][A-Za-z0-9._-]{8,}/gi, '***')
    .slice(0, 500);
}

export function wireError(kind: SeedreamClientErrorKind, status: number, message: string, extra: Partial<WireError> = {}): WireError {
  return { kind, message, status, ...extra };
}

export function toWireError(error: unknown): WireError {
  const requestId = typeof (error as { requestId?: unknown })?.requestId === 'string' ? (error as { requestId: string }).requestId : undefined;
  const withId = requestId ? { requestId } : {};
  const message = (fallback: string) => (error instanceof Error && error.message ? scrub(error.message) : fallback);
  if (isSeedreamValidationError(error)) {
    const fields = error.issues.filter((issue) => issue.severity === 'error').map(({ path, message: text }) => ({ path, message: text }));
    return wireError('validation', 400, message('Invalid request'), { fields });
  }
  if (isContentPolicyError(error)) return wireError('content_policy', 400, message('Refused by content moderation'), withId);
  if (isRateLimitError(error)) {
    return wireError('rate_limit', 429, 'The image service is rate limiting this site; try again later', {
      ...withId,
      ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
    });
  }
  if (isBadRequestError(error)) {
    const fields = error.param ? [{ path: error.param, message: scrub(error.message) }] : undefined;
    return wireError('bad_request', 400, message('The image service refused the request'), { ...withId, ...(fields ? { fields } : {}) });
  }
  if (isAuthenticationError(error)) return wireError('authentication', 401, 'The image service refused the server\'s credentials', withId);
  if (isPermissionDeniedError(error)) return wireError('permission', 403, 'The image service refused this request (account or model not enabled)', withId);
  if (isNotFoundError(error)) return wireError('not_found', 404, 'Unknown model or endpoint', withId);
  if (isAPITimeoutError(error)) return wireError('timeout', 504, 'The image service did not answer in time', withId);
  if (isAPIUserAbortError(error)) return wireError('aborted', 499, 'The request was aborted', withId);
  if (isAPIConnectionError(error) || isAPIError(error)) return wireError('upstream', 502, 'The image service failed', withId);
  return wireError('upstream', 500, 'Internal error');
}

export function errorResponse(error: WireError, headers: Record<string, string> = {}): Response {
  const extra: Record<string, string> = { ...headers };
  if (error.retryAfter !== undefined) extra['retry-after'] = String(Math.ceil(error.retryAfter));
  return Response.json({ error }, { status: error.status ?? 500, headers: { 'cache-control': 'no-store', ...extra } });
}
