/**
 * Every error this module raises is a GraphQLError with an explicit `extensions.code`. Messages are ours:
 * nothing of an upstream body, message or header is repeated (it could echo a key or a signed URL).
 */
import { GraphQLError } from 'graphql';
import {
  isAPIConnectionError,
  isAPIError,
  isAPITimeoutError,
  isAPIUserAbortError,
  isBadRequestError,
  isContentPolicyError,
  isNotFoundError,
  isRateLimitError,
  isSeedreamValidationError,
} from '@seedream-kit/core';
import type { ValidationIssue } from '@seedream-kit/core';
import { toInputPath } from './input.js';

export type SeedreamErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'CONTENT_FILTERED'
  | 'UPSTREAM_ERROR'
  | 'TIMEOUT'
  | 'OPERATION_LIMIT_EXCEEDED'
  | 'ABORTED';

/** One refused input field: `field` in the GraphQL input's names, `param` in core's (wire) names. */
export interface FieldIssue {
  field: string;
  param: string;
  message: string;
}

export function seedreamError(code: SeedreamErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export function badUserInput(issues: FieldIssue[]): GraphQLError {
  const first = issues[0];
  const message = issues.length === 1 && first ? `Invalid ${first.field}: ${first.message}` : `Invalid input: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`;
  return seedreamError('BAD_USER_INPUT', message, { field: first?.field, fields: issues });
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
  if (isAPIUserAbortError(error)) return seedreamError('ABORTED', 'The request was cancelled.', extra);
  if (isAPITimeoutError(error)) return seedreamError('TIMEOUT', 'The image service did not answer in time.', extra);
  if (isRateLimitError(error)) {
    const retryAfter = error.retryAfter;
    return seedreamError('RATE_LIMITED', 'The image service is rate limited; retry later.', {
      ...extra,
      ...(typeof retryAfter === 'number' ? { retryAfter } : {}),
    });
  }
  if (isContentPolicyError(error)) return seedreamError('CONTENT_FILTERED', 'The request was refused by content moderation.', extra);
  if (isBadRequestError(error) || isNotFoundError(error)) {
    // A 400 names the refused parameter; a 404 is an unknown model. Both are the caller's input.
    const param = isNotFoundError(error) ? 'model' : ((error as { param?: string }).param ?? '');
    const field = param ? toInputPath(param) : 'input';
    return seedreamError('BAD_USER_INPUT', `The image service refused ${field === 'input' ? 'the input' : field}.`, {
      ...extra,
      field,
      fields: [{ field, param, message: 'refused by the image service' }],
    });
  }
  // 401/403 upstream concern the server's own key or account, not the caller: an upstream error.
  if (isAPIError(error) || isAPIConnectionError(error)) return seedreamError('UPSTREAM_ERROR', 'The image service failed.', extra);
  return seedreamError('UPSTREAM_ERROR', 'The image generation failed.', extra);
}
