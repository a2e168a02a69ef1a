/** The one error a spending policy raises: a refusal with the error kind every adapter maps from. */
import type { SeedreamClientErrorKind } from '../../transport.js';

export interface PolicyFieldError {
  /** Core's (wire) path: `prompt`, `image[2]`, `sequential_image_generation_options.max_images`. */
  path: string;
  message: string;
}

export class SpendingPolicyError extends Error {
  override readonly name = 'SpendingPolicyError';
  readonly kind: SeedreamClientErrorKind;
  /** The HTTP status a route answers with. */
  readonly status: number;
  readonly fields: PolicyFieldError[] | undefined;
  /** Seconds until a refused budget or rate limit opens again. */
  readonly retryAfter: number | undefined;

  constructor(kind: SeedreamClientErrorKind, status: number, message: string, extra: { fields?: PolicyFieldError[]; retryAfter?: number } = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.fields = extra.fields;
    this.retryAfter = extra.retryAfter;
  }
}

export function isSpendingPolicyError(error: unknown): error is SpendingPolicyError {
  return error instanceof SpendingPolicyError;
}

export const refuseField = (path: string, message: string): SpendingPolicyError =>
  new SpendingPolicyError('validation', 400, `${path}: ${message}`, { fields: [{ path, message }] });
