/**
 * Every error this module raises is a GraphQLError with an explicit `extensions.code`, the code of a kind of
 * core's CLIENT_ERROR_KINDS (the one table the browser transports read back). Messages are ours (the table's
 * default for the kind, unless a caller gives one): nothing of an upstream body, message or header is repeated
 * (it could echo a key or a signed URL).
 */
import { GraphQLError } from 'graphql';
import {
  isAPITimeoutError,
  isAPIUserAbortError,
  isBadRequestError,
  isContentPolicyError,
  isNotFoundError,
  isRateLimitError,
  isSeedreamValidationError,
} from '@seedream-kit/core';
import { CLIENT_ERROR_KINDS, type SeedreamClientErrorCode, type SeedreamClientErrorKind, type ValidationIssue } from '@seedream-kit/core';
import { toInputPath } from './input.js';

/** The `extensions.code`s of CLIENT_ERROR_KINDS (`BAD_USER_INPUT`, `RATE_LIMITED`, `OPERATION_LIMIT_EXCEEDED` …). */
export type SeedreamErrorCode = SeedreamClientErrorCode;

/** One refused input field: `field` in the GraphQL input's names, `param` in core's (wire) names. */
export interface FieldIssue {
  field: string;
  param: string;
  message: string;
}

export function seedreamError(code: SeedreamErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** The error of a kind: its code, and its default message unless one is given. */
export function kindError(kind: SeedreamClientErrorKind, extensions: Record<string, unknown> = {}, message?: string): GraphQLError {
  const info = CLIENT_ERROR_KINDS[kind];
  return seedreamError(info.code, message ?? info.message, extensions);
}

export function badUserInput(issues: FieldIssue[]): GraphQLError {
  const first = issues[0];
  const message =
    issues.length === 1 && first
      ? `Invalid ${first.field}: ${first.message}`
      : `Invalid input: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`;
  return kindError('validation', { field: first?.field, fields: issues }, message);
}

/** Core's validation issues (errors only) as BAD_USER_INPUT. */
export function fromValidationIssues(issues: readonly ValidationIssue[]): GraphQLError {
  return badUserInput(
    issues.filter((issue) => issue.severity === 'error').map((issue) => ({ field: toInputPath(issue.path), param: issue.path, message: issue.message })),
  );
}

const CONTENT_CODES = /SensitiveContent|RiskDetection|ContentSecurity/i;

/** A per-image failure: the provider's code, our own short message. */
export function imageErrorMessage(code: string): string {
  return CONTENT_CODES.test(code) ? 'The image was withheld by content moderation.' : 'The image could not be generated.';
}

/** Maps anything core throws to a GraphQLError; never copies the upstream message. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const requestId = typeof (error as { requestId?: unknown })?.requestId === 'string' ? (error as { requestId: string }).requestId : undefined;
  const extra: Record<string, unknown> = requestId ? { requestId } : {};
  if (isSeedreamValidationError(error)) return fromValidationIssues(error.issues);
  if (isAPIUserAbortError(error)) return kindError('aborted', extra);
  if (isAPITimeoutError(error)) return kindError('timeout', extra);
  if (isRateLimitError(error)) {
    const retryAfter = error.retryAfter;
    return kindError('rate_limit', { ...extra, ...(typeof retryAfter === 'number' ? { retryAfter } : {}) });
  }
  if (isContentPolicyError(error)) return kindError('content_policy', extra);
  if (isBadRequestError(error) || isNotFoundError(error)) {
    // A 400 names the refused parameter; a 404 is an unknown model. Both are the caller's input.
    const param = isNotFoundError(error) ? 'model' : ((error as { param?: string }).param ?? '');
    const field = param ? toInputPath(param) : 'input';
    return kindError(
      'validation',
      { ...extra, field, fields: [{ field, param, message: 'refused by the image service' }] },
      `The image service refused ${field === 'input' ? 'the input' : field}.`,
    );
  }
  // 401/403 upstream concern the server's own key or account, not the caller: an upstream error. So does
  // anything else (a bug in a hook), in the same words.
  return kindError('upstream', extra);
}
