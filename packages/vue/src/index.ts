/**
 * @seedream-kit/vue: `useSeedream`, a composable over the framework-free store of `@seedream-kit/core/store`, its
 * provider, and the HTTP transport. The route it talks to lives in `@seedream-kit/react/server` (no React needed
 * on the server); the GraphQL transport in `@seedream-kit/graphql/transport`.
 */
export { useSeedream } from './use-seedream.js';
export type { UseSeedreamOptions, UseSeedreamReturn, SeedreamRefs, SeedreamStoreActions } from './use-seedream.js';
export { SeedreamProvider, provideSeedream, SEEDREAM_KEY } from './provider.js';
export type { SeedreamConfig } from './provider.js';
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
