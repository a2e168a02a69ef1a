import { getContext, setContext } from 'svelte';
import type { ClientValidator } from '@seedream-kit/core/store';
import type { SeedreamTransport } from '@seedream-kit/core/transport';

export interface SeedreamConfig {
  /** Where generations go: `createHttpTransport({ url: '/api/seedream' })`, or the GraphQL transport. */
  transport?: SeedreamTransport | undefined;
  /** Checked in the browser before any request, e.g. core's `validateParams` (adds it to the bundle). */
  validate?: ClientValidator | undefined;
}

export const SEEDREAM_KEY: unique symbol = Symbol('seedream-kit');

/**
 * Configures every `useSeedream` of the calling component and its descendants (call it while the component
 * initialises, e.g. in the root layout). Unset fields fall back to an outer context.
 */
export function setSeedreamContext(config: SeedreamConfig): void {
  const outer = getContext<SeedreamConfig | undefined>(SEEDREAM_KEY);
  setContext<SeedreamConfig>(SEEDREAM_KEY, {
    get transport() {
      return config.transport ?? outer?.transport;
    },
    get validate() {
      return config.validate ?? outer?.validate;
    },
  });
}
