/**
 * The framework-free store under `useSeedream` lives in core, `@seedream-kit/core/store`, where any binding can
 * use it; re-exported here so `createSeedreamStore` and its types stay importable from @seedream-kit/react.
 */
export { createSeedreamStore, sessionJobMemory } from '@seedream-kit/core/store';
export type {
  SeedreamStore,
  SeedreamState,
  SeedreamStatus,
  SeedreamStoreConfig,
  SeedreamCallbacks,
  SeedreamActions,
  ClientValidator,
  ClientValidationIssue,
  WithStatusFlags,
  JobMemory,
} from '@seedream-kit/core/store';
