/**
 * @seedream-kit/react, browser entry: the `useSeedream` hook and its provider, plus what every binding hands on
 * (`@seedream-kit/core/binding`: the framework-free store, the HTTP transport, the browser-side contract).
 * Marked "use client" by the build. The route lives in `@seedream-kit/react/server`.
 */
export * from '@seedream-kit/core/binding';
export { useSeedream } from './use-seedream.js';
export type { UseSeedreamOptions, UseSeedreamResult, SeedreamActions } from './use-seedream.js';
export { SeedreamProvider, SeedreamContext } from './provider.js';
export type { SeedreamProviderProps, SeedreamConfig } from './provider.js';
