/**
 * @seedream-kit/core: a typed client for ByteDance Seedream image models served through CometAPI (or the Ark
 * API). Browser-importable: nothing here imports a Node built-in; `downloadImage` lives in
 * `@seedream-kit/core/node`.
 */
export { createSeedream, SeedreamClient, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT } from './client.js';
export {
  SEEDREAM_ERROR_BRAND,
  SeedreamError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  ContentPolicyError,
  InternalServerError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  SeedreamValidationError,
  DownloadError,
  isSeedreamError,
  isAPIError,
  isBadRequestError,
  isAuthenticationError,
  isPermissionDeniedError,
  isNotFoundError,
  isRateLimitError,
  isContentPolicyError,
  isInternalServerError,
  isAPIConnectionError,
  isAPITimeoutError,
  isAPIUserAbortError,
  isSeedreamValidationError,
  isDownloadError,
} from './errors.js';
export type { SeedreamErrorKind, SeedreamErrorOptions, APIErrorInit, APIConnectionErrorOptions, DownloadErrorReason } from './errors.js';
// The browser-facing error vocabulary (also in `@seedream-kit/core/transport`): kind → status, GraphQL code, flags, message.
export { CLIENT_ERROR_KINDS, clientErrorKindForCode, clientErrorKindForStatus, isClientErrorKind } from './error-kinds.js';
export type { ClientErrorKindInfo, SeedreamClientErrorCode, SeedreamClientErrorKind } from './error-kinds.js';
export { models, getModelCapabilities, genericModelCapabilities, DEFAULT_MODEL, MAX_IMAGES_PER_REQUEST } from './models.js';
export type { ModelCapabilities, ModelFamily, ImageFormat } from './models.js';
export { validateParams, hasValidationErrors, resolveCapabilities, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_PROMPT_MAX_LENGTH } from './validation.js';
export { sniffImageType } from './internal/sniff.js';
export { encodeBase64, decodeBase64 } from './internal/base64.js';
export type { SniffedImage } from './internal/sniff.js';
export type * from './types.js';
