/**
 * @seedream-kit/svelte: `useSeedream`, a runes-friendly object over the framework-free store of
 * `@seedream-kit/core/store`, and its context, plus what every binding hands on (`@seedream-kit/core/binding`: the
 * store, the HTTP transport, the browser-side contract). The route it talks to lives in
 * `@seedream-kit/react/server` (no React needed on the server); the GraphQL transport in
 * `@seedream-kit/graphql/transport`.
 */
export * from '@seedream-kit/core/binding';
export { useSeedream } from './use-seedream.js';
export type { UseSeedreamOptions, UseSeedreamResult, SeedreamStoreActions } from './use-seedream.js';
export { setSeedreamContext, SEEDREAM_KEY } from './context.js';
export type { SeedreamConfig } from './context.js';
