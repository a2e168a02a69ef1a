/**
 * The store configuration of a UI binding's hook, one rule for React, Vue and Svelte: the hook's options over
 * what its provider gives, then the default transport. For binding authors; exported by `@seedream-kit/core/store`.
 */
import { createHttpTransport } from '../http.js';
import type { jobMemoryFor, SeedreamBindingOptions, SeedreamConfig, SeedreamStoreConfig } from '../store.js';
import type { SeedreamTransport } from '../transport.js';

let defaultTransport: SeedreamTransport | undefined;

/** Called for each generation, so the latest options apply; the default transport (`/api/seedream`) is one per page. */
export function bindingStoreConfig(options: SeedreamBindingOptions, provided: SeedreamConfig, jobMemory: ReturnType<typeof jobMemoryFor>): SeedreamStoreConfig {
  return {
    ...options,
    transport: options.transport ?? provided.transport ?? (defaultTransport ??= createHttpTransport({ url: '/api/seedream' })),
    ...(options.validate || provided.validate ? { validate: options.validate ?? provided.validate } : {}),
    ...(jobMemory ? { jobMemory } : {}),
  };
}
