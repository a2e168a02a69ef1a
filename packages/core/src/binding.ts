/**
 * `@seedream-kit/core/binding`: what every UI binding (React, Vue, Svelte) hands on to apps besides its own hook:
 * the framework-free store, the HTTP transport and the browser-side contract (errors, shapes). One list, so the
 * bindings cannot drift apart; each re-exports it with `export *` and adds only its hook and provider.
 * Browser-safe, no framework.
 */
export { createSeedreamStore, sessionJobMemory } from './store.js';
export type {
  SeedreamStore,
  SeedreamState,
  SeedreamStatus,
  SeedreamStoreConfig,
  SeedreamCallbacks,
  SeedreamActions,
  SeedreamBindingOptions,
  SeedreamConfig,
  WithStatusFlags,
  JobMemory,
  ClientValidator,
  ClientValidationIssue,
} from './store.js';
export { createHttpTransport } from './http.js';
export type { HttpTransportOptions } from './http.js';
export {
  SeedreamClientError,
  isSeedreamClientError,
  CLIENT_ERROR_KINDS,
  clientErrorKindForCode,
  clientErrorKindForStatus,
  isClientErrorKind,
} from './transport.js';
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
} from './transport.js';
