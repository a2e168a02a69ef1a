import { getContext, onDestroy, onMount } from 'svelte';
import { createSubscriber } from 'svelte/reactivity';
import {
  bindingStoreConfig,
  createSeedreamStore,
  jobMemoryFor,
  type SeedreamActions,
  type SeedreamBindingOptions,
  type SeedreamState,
} from '@seedream-kit/core/store';
import { SEEDREAM_KEY, type SeedreamConfig } from './context.js';

export interface UseSeedreamOptions extends SeedreamBindingOptions {
  /** Abort the request in flight when the component is destroyed. Default `true`. */
  abortOnDestroy?: boolean;
}

/** The store's actions (`generate`, `generateAsync`, `abort`, `resume`, `reset`), forwarded as they are. */
export type SeedreamStoreActions = SeedreamActions;

/**
 * The snapshot's fields as live getters (reactive in templates, `$derived` and `$effect`) plus the actions.
 * `status` or a flag narrows the rest, as on a snapshot: `{#if seedream.isError}{seedream.error.kind}{/if}`.
 */
export type UseSeedreamResult = SeedreamState & SeedreamStoreActions;

/**
 * A binding only: the store (`@seedream-kit/core/store`) holds the state, its flags and the actions. Every field
 * of its snapshot becomes a reactive getter and every action is handed on, so what the store gains, this gains.
 * Call it while a component initialises (it reads the context and aborts on destroy).
 */
export function useSeedream(options: UseSeedreamOptions = {}): UseSeedreamResult {
  const provided = getContext<SeedreamConfig | undefined>(SEEDREAM_KEY) ?? {};
  const memory = jobMemoryFor(options.resumeOnReload);
  const store = createSeedreamStore(() => bindingStoreConfig(options, provided, memory));
  const { getSnapshot, getServerSnapshot: _server, subscribe, detach, resumeSaved, ...actions } = store;
  // Reading a field inside an effect (a template, $derived, $effect) subscribes that effect to the store.
  const track = createSubscriber((update) => subscribe(update));
  onMount(resumeSaved); // never during server rendering
  onDestroy(() => {
    if (options.abortOnDestroy !== false) detach();
  });

  const result = { ...actions };
  for (const key of Object.keys(getSnapshot()) as (keyof SeedreamState)[]) {
    Object.defineProperty(result, key, {
      enumerable: true,
      get: () => {
        track();
        return getSnapshot()[key];
      },
    });
  }
  return result as UseSeedreamResult;
}
