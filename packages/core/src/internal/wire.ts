/**
 * The shapes a server sends a browser, whichever adapter serves it: images and usage as `@seedream-kit/core/transport`
 * reads them, and every failure as `{ kind, message, status?, fields?, retryAfter?, requestId? }`. Never the
 * upstream body, headers or key: messages are the table's default for the kind (CLIENT_ERROR_KINDS) or core's own
 * (already scrubbed) messages about the request.
 */
import { CLIENT_ERROR_KINDS, type SeedreamClientErrorKind } from '../error-kinds.js';
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
} from '../errors.js';
import type { ClientFieldError, ClientImage, ClientUsage } from '../transport.js';
import type { GeneratedImage, Usage } from '../types.js';
import { encodeBase64 } from './base64.js';
import { sniffImageType } from './sniff.js';

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

/** Whatever went wrong on the server, as the one shape the browser reads. */
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

/** An image as the browser reads it: b64 results become a data: URI (the transport re-derives `b64_json`). */
export function toClientImage(image: GeneratedImage): ClientImage {
  if (image.error) return { index: image.index, error: { code: image.error.code, message: image.error.message } };
  const out: ClientImage = { index: image.index };
  if (image.url) out.url = image.url;
  else if (image.bytes) {
    const mime = sniffImageType(image.bytes)?.mime ?? 'application/octet-stream';
    out.url = `data:${mime};base64,${encodeBase64(image.bytes)}`;
  }
  if (image.size) out.size = image.size;
  if (image.width) out.width = image.width;
  if (image.height) out.height = image.height;
  if (typeof image.output_format === 'string') out.output_format = image.output_format;
  return out;
}

export function toClientUsage(usage: Usage): ClientUsage {
  const out: ClientUsage = { generated_images: usage.generated_images };
  if (usage.output_tokens !== undefined) out.output_tokens = usage.output_tokens;
  if (usage.total_tokens !== undefined) out.total_tokens = usage.total_tokens;
  if (typeof usage.input_images === 'number') out.input_images = usage.input_images;
  if (typeof usage.tool_usage?.web_search === 'number') out.tool_usage = { web_search: usage.tool_usage.web_search };
  return out;
}
