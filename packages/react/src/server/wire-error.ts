/**
 * Maps whatever went wrong on the server to the one JSON shape the browser sees:
 * `{ error: { kind, message, status?, fields?, retryAfter?, requestId? } }`. Never the upstream body, headers or
 * key: messages are either the table's default for the kind or core's (already scrubbed) messages for errors
 * about the request. Kinds, their statuses and default messages come from core's CLIENT_ERROR_KINDS.
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
import { CLIENT_ERROR_KINDS, type ClientFieldError, type SeedreamClientErrorKind } from '@seedream-kit/core/transport';

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

/** `status` and `message` default to the kind's (CLIENT_ERROR_KINDS); pass them for a more precise answer (405, 413 …). */
export function wireError(kind: SeedreamClientErrorKind, status?: number, message?: string, extra: Partial<WireError> = {}): WireError {
  const info = CLIENT_ERROR_KINDS[kind];
  return { kind, message: message ?? info.message, status: status ?? info.status, ...extra };
}

export function toWireError(error: unknown): WireError {
  const requestId = typeof (error as { requestId?: unknown })?.requestId === 'string' ? (error as { requestId: string }).requestId : undefined;
  const withId = requestId ? { requestId } : {};
  // The kind's status; core's own message where it is about the request (already scrubbed), else the kind's.
  const own = error instanceof Error && error.message ? scrub(error.message) : undefined;
  const answer = (kind: SeedreamClientErrorKind, message?: string, extra: Partial<WireError> = {}) =>
    wireError(kind, undefined, message, { ...withId, ...extra });
  if (isSeedreamValidationError(error)) {
    const fields = error.issues.filter((issue) => issue.severity === 'error').map(({ path, message: text }) => ({ path, message: text }));
    return wireError('validation', undefined, own, { fields });
  }
  if (isContentPolicyError(error)) return answer('content_policy', own);
  if (isRateLimitError(error)) return answer('rate_limit', undefined, error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {});
  if (isBadRequestError(error)) return answer('bad_request', own, error.param ? { fields: [{ path: error.param, message: scrub(error.message) }] } : {});
  if (isAuthenticationError(error)) return answer('authentication');
  if (isPermissionDeniedError(error)) return answer('permission');
  if (isNotFoundError(error)) return answer('not_found');
  if (isAPITimeoutError(error)) return answer('timeout');
  if (isAPIUserAbortError(error)) return answer('aborted');
  if (isAPIConnectionError(error) || isAPIError(error)) return answer('upstream');
  // Not the image service's failure but ours (a bug, a hook that threw): 500, with the same words.
  return wireError('upstream', 500);
}

export function errorResponse(error: WireError, headers: Record<string, string> = {}): Response {
  const extra: Record<string, string> = { ...headers };
  if (error.retryAfter !== undefined) extra['retry-after'] = String(Math.ceil(error.retryAfter));
  return Response.json(
    { error },
    {
      status: error.status ?? CLIENT_ERROR_KINDS[error.kind]?.status ?? 500,
      headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra },
    },
  );
}
