/**
 * The route's error answer: `{ error: { kind, message, status?, … } }` with the kind's status (core's
 * CLIENT_ERROR_KINDS). The shape and the mapping from any error live in `@seedream-kit/core/server`.
 */
import { CLIENT_ERROR_KINDS } from '@seedream-kit/core/transport';
import type { WireError } from '@seedream-kit/core/server';

export { scrub, toWireError, wireError } from '@seedream-kit/core/server';
export type { WireError } from '@seedream-kit/core/server';

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
