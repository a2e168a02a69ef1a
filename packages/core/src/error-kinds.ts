/**
 * The one vocabulary of errors a browser sees, whichever server it talks to: the route of @seedream-kit/react
 * (`{ error: { kind, status } }` over HTTP) or the GraphQL API of @seedream-kit/graphql (`extensions.code`).
 * Every adapter maps through this table; none keeps its own list. Adding a kind here is all it takes for the
 * route, both browser transports and the GraphQL server to know it.
 *
 * Per kind:
 * - `status`: the HTTP status the route answers with (an adapter may pass a more precise one, e.g. 405 or 413
 *   for `bad_request`). Also the fallback for reading an answer that is not ours (a proxy's HTML page).
 * - `code`: the GraphQL `extensions.code`.
 * - `retryable`: the failure is transient; the same request, sent again later, may succeed.
 * - `billed`: the call may have been billed (the provider may have generated images before the failure).
 *   Only `retryable && !billed` (a rate limit) is safe to repeat without asking the user.
 * - `message`: the default user-facing message, for when the server sends none of its own.
 * - `extraCodes` / `extraStatuses`: other codes and statuses that read as this kind, where the status that comes
 *   with them would not (`QUERY_TOO_COMPLEX` comes with a 400, graphql-yoga's masked `INTERNAL_SERVER_ERROR`
 *   with a 200; a proxy may answer 408). Codes that arrive with their kind's status need no entry: yoga's
 *   `GRAPHQL_PARSE_FAILED` (400 → `bad_request`), the body limit's `REQUEST_ENTITY_TOO_LARGE` (413).
 *
 * The GraphQL server's own limits (`OPERATION_LIMIT_EXCEEDED`, `QUERY_TOO_COMPLEX`, the body size limit) are one
 * kind, `limit_exceeded`: the request asks for more than this server allows. Nothing was sent upstream, and the
 * same request will be refused again. (A proxy's 413 page reads as it too.)
 *
 * Order matters only for statuses that several kinds share: the first kind listed owns the status for the
 * reverse lookup. `bad_request` comes first, so an unreadable 400 reads as `bad_request` (not `validation`,
 * which always comes with fields, nor `content_policy`, which always comes with its kind or code).
 */
export const CLIENT_ERROR_KINDS = {
  bad_request: { status: 400, code: 'BAD_REQUEST', retryable: false, billed: false, message: 'The request was refused.' },
  validation: { status: 400, code: 'BAD_USER_INPUT', retryable: false, billed: false, message: 'Some fields are invalid.' },
  authentication: { status: 401, code: 'UNAUTHENTICATED', retryable: false, billed: false, message: 'Authentication failed.' },
  permission: { status: 403, code: 'FORBIDDEN', retryable: false, billed: false, message: 'Not allowed.' },
  not_found: { status: 404, code: 'NOT_FOUND', retryable: false, billed: false, message: 'Unknown model or endpoint.' },
  limit_exceeded: {
    status: 413,
    code: 'OPERATION_LIMIT_EXCEEDED',
    retryable: false,
    billed: false,
    message: "Over this server's limits.",
    extraCodes: ['QUERY_TOO_COMPLEX'],
  },
  rate_limit: { status: 429, code: 'RATE_LIMITED', retryable: true, billed: false, message: 'Too many requests; try again later.' },
  content_policy: { status: 400, code: 'CONTENT_FILTERED', retryable: false, billed: false, message: 'Refused by content moderation.' },
  upstream: {
    status: 502,
    code: 'UPSTREAM_ERROR',
    retryable: true,
    billed: true,
    message: 'The image service failed.',
    extraCodes: ['INTERNAL_SERVER_ERROR'],
  },
  timeout: {
    status: 504,
    code: 'TIMEOUT',
    retryable: true,
    billed: true,
    message: 'The image service timed out.',
    extraStatuses: [408],
  },
  network: { status: 503, code: 'NETWORK_ERROR', retryable: true, billed: true, message: 'Could not reach the server.' },
  aborted: { status: 499, code: 'ABORTED', retryable: false, billed: true, message: 'The generation was cancelled.' },
  // A job whose server stopped mid-generation (its heartbeat ran out): the images received so far are kept, and it
  // is never resubmitted by itself, since a new request bills again. Listed after `network`, which keeps 503.
  interrupted: {
    status: 503,
    code: 'INTERRUPTED',
    retryable: false,
    billed: true,
    message: 'The server stopped; the images so far are kept.',
  },
  // A shared store (Redis) the server needs is unreachable: nothing was sent upstream, try again shortly.
  unavailable: { status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true, billed: false, message: 'Briefly unavailable; try again.' },
} as const satisfies Record<string, ClientErrorKindInfo>;

export interface ClientErrorKindInfo {
  /** The HTTP status the route answers with. */
  readonly status: number;
  /** The GraphQL `extensions.code`. */
  readonly code: string;
  /** Transient: the same request, sent again later, may succeed. */
  readonly retryable: boolean;
  /** The call may have been billed (images may have been generated before the failure). */
  readonly billed: boolean;
  /** The default user-facing message. */
  readonly message: string;
  /** Other GraphQL codes that read as this kind. */
  readonly extraCodes?: readonly string[];
  /** Other HTTP statuses that read as this kind. */
  readonly extraStatuses?: readonly number[];
}

/** What went wrong, as a UI switches on it: a key of `CLIENT_ERROR_KINDS`. */
export type SeedreamClientErrorKind = keyof typeof CLIENT_ERROR_KINDS;

/** The GraphQL `extensions.code` of a kind (the main one, as this kit's servers send it). */
export type SeedreamClientErrorCode = (typeof CLIENT_ERROR_KINDS)[SeedreamClientErrorKind]['code'];

const entries = () => Object.entries(CLIENT_ERROR_KINDS) as Array<[SeedreamClientErrorKind, ClientErrorKindInfo]>;

/** True for a kind of the table (e.g. the `kind` of a JSON answer). */
export function isClientErrorKind(value: unknown): value is SeedreamClientErrorKind {
  return typeof value === 'string' && Object.hasOwn(CLIENT_ERROR_KINDS, value);
}

/** The kind of a GraphQL `extensions.code`, or undefined for a code the table does not know. */
export function clientErrorKindForCode(code: unknown): SeedreamClientErrorKind | undefined {
  for (const [kind, info] of entries()) if (info.code === code || info.extraCodes?.includes(code as string)) return kind;
  return undefined;
}

/**
 * The kind an HTTP status stands for, when the answer says nothing more (no kind, no code): the first kind with
 * that status; otherwise any other status below 500 is `bad_request`, and 5xx (or none) is `upstream`.
 */
export function clientErrorKindForStatus(status: number | undefined): SeedreamClientErrorKind {
  for (const [kind, info] of entries()) if (info.status === status || info.extraStatuses?.includes(status as number)) return kind;
  return status !== undefined && status < 500 ? 'bad_request' : 'upstream';
}
