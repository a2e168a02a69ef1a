/**
 * @seedream-kit/vue: `useSeedream`, a composable over the framework-free store of `@seedream-kit/core/store`, and
 * its provider, plus what every binding hands on (`@seedream-kit/core/binding`: the store, the HTTP transport, the
 * browser-side contract). The route it talks to lives in `@seedream-kit/react/server` (no React needed on the
 * server); the GraphQL transport in `@seedream-kit/graphql/transport`.
 */
export * from '@seedream-kit/core/binding';
export { useSeedream } from './use-seedream.js';
export type { UseSeedreamOptions, UseSeedreamReturn, SeedreamRefs, SeedreamStoreActions } from './use-seedream.js';
export { SeedreamProvider, provideSeedream, SEEDREAM_KEY } from './provider.js';
export type { SeedreamConfig } from './provider.js';
