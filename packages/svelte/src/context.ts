import { getContext, setContext } from 'svelte';
import type { SeedreamConfig } from '@seedream-kit/core/store';

export type { SeedreamConfig } from '@seedream-kit/core/store';

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
