/**
 * The one error type the browser side sees. Transports (HTTP here, GraphQL in @seedream-kit/graphql) turn every
 * failure into it, so a UI switches on `kind` and never on a transport's details.
 */
import type { ClientResult } from './transport/types.js';

export type SeedreamClientErrorKind =
  | 'validation'
  | 'bad_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'rate_limit'
  | 'content_policy'
  | 'upstream'
  | 'timeout'
  | 'network'
  | 'aborted';

export interface ClientFieldError {
  /** Field path as core's ValidationIssue names it: `size`, `image[2]`, `sequential_image_generation_options.max_images`. */
  path: string;
  message: string;
}

export interface SeedreamClientErrorInit {
  status?: number | undefined;
  fields?: ClientFieldError[] | undefined;
  retryAfter?: number | undefined;
  requestId?: string | undefined;
  partialResult?: ClientResult | undefined;
  cause?: unknown;
}

const BRAND = Symbol.for('seedream-kit.client-error');

export class SeedreamClientError extends Error {
  override name = 'SeedreamClientError';
  readonly kind: SeedreamClientErrorKind;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  fields?: ClientFieldError[];
  /** Seconds to wait before trying again (`rate_limit`). */
  retryAfter?: number;
  requestId?: string;
  /** Images received before the failure. They were paid for: show them. */
  partialResult?: ClientResult;

  constructor(kind: SeedreamClientErrorKind, message: string, init: SeedreamClientErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = kind;
    Object.defineProperty(this, BRAND, { value: true });
    if (init.status !== undefined) this.status = init.status;
    if (init.fields?.length) this.fields = init.fields;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    if (init.requestId) this.requestId = init.requestId;
    if (init.partialResult?.images.length) this.partialResult = init.partialResult;
  }

  /** `instanceof` also accepts errors made by another copy of this package (or a transport redeclaring it). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isSeedreamClientError(value);
  }
}

/** Any object carrying the brand (whatever its value) and a `kind`: another copy of this package, or a
 *  transport that redeclares the class (as @seedream-kit/graphql does). */
export function isSeedreamClientError(value: unknown): value is SeedreamClientError {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<PropertyKey, unknown>;
  return record[BRAND] !== undefined && record[BRAND] !== false && typeof record.kind === 'string';
}
