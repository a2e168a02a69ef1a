/**
 * @seedream-kit/react, browser entry: the `useSeedream` hook, its provider, the framework-free store and the
 * HTTP transport. Marked "use client" by the build. The route lives in `@seedream-kit/react/server`.
 */
export { useSeedream } from './use-seedream.js';
export type { UseSeedreamOptions, UseSeedreamResult, SeedreamActions } from './use-seedream.js';
export { SeedreamProvider, SeedreamContext } from './provider.js';
export type { SeedreamProviderProps, SeedreamConfig } from './provider.js';
export { createSeedreamStore } from './store.js';
export type {
  SeedreamStore,
  SeedreamState,
  SeedreamStatus,
  SeedreamStoreConfig,
  SeedreamCallbacks,
  ClientValidator,
  ClientValidationIssue,
} from './store.js';
export { createHttpTransport } from './transport/http.js';
export type { HttpTransportOptions } from './transport/http.js';
// The transport contract lives in core, shared with @seedream-kit/graphql's transport; re-exported for convenience.
export {
  SeedreamClientError,
  isSeedreamClientError,
  CLIENT_ERROR_KINDS,
  clientErrorKindForCode,
  clientErrorKindForStatus,
  isClientErrorKind,
} from '@seedream-kit/core/transport';
export type {
  SeedreamClientErrorKind,
  ClientErrorKindInfo,
  SeedreamClientErrorInit,
  ClientFieldError,
  SeedreamTransport,
  TransportContext,
  ClientGenerateParams,
  ClientImageInput,
  ClientImage,
  ClientUsage,
  ClientResult,
  ClientEvent,
} from '@seedream-kit/core/transport';
