/**
 * @seedream-kit/svelte: `useSeedream`, a runes-friendly object over the framework-free store of
 * `@seedream-kit/core/store`, its context, and the HTTP transport. The route it talks to lives in
 * `@seedream-kit/react/server` (no React needed on the server); the GraphQL transport in
 * `@seedream-kit/graphql/transport`.
 */
export { useSeedream } from './use-seedream.js';
export type { UseSeedreamOptions, UseSeedreamResult, SeedreamStoreActions } from './use-seedream.js';
export { setSeedreamContext, SEEDREAM_KEY } from './context.js';
export type { SeedreamConfig } from './context.js';
export { createHttpTransport } from '@seedream-kit/core/http';
export type { HttpTransportOptions } from '@seedream-kit/core/http';
export { createSeedreamStore, sessionJobMemory } from '@seedream-kit/core/store';
export type {
  SeedreamStore,
  SeedreamState,
  SeedreamStatus,
  SeedreamStoreConfig,
  SeedreamCallbacks,
  SeedreamActions,
  JobMemory,
  ClientValidator,
  ClientValidationIssue,
} from '@seedream-kit/core/store';
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
