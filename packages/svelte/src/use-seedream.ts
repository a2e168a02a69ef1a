import { getContext, onDestroy, onMount } from 'svelte';
import { createSubscriber } from 'svelte/reactivity';
import { createHttpTransport } from '@seedream-kit/core/http';
import {
  createSeedreamStore,
  sessionJobMemory,
  type ClientValidator,
  type SeedreamCallbacks,
  type SeedreamState,
  type SeedreamStore,
} from '@seedream-kit/core/store';
import type { SeedreamTransport } from '@seedream-kit/core/transport';
import { SEEDREAM_KEY, type SeedreamConfig } from './context.js';

export interface UseSeedreamOptions extends SeedreamCallbacks {
  /** Overrides the context's transport. Without either, `createHttpTransport({ url: '/api/seedream' })`. */
  transport?: SeedreamTransport;
  /** Overrides the context's validator. */
  validate?: ClientValidator;
  /** Abort the request in flight when the component is destroyed. Default `true`. */
  abortOnDestroy?: boolean;
  /**
   * Resume after a page reload: the running job's id is kept in `sessionStorage` under this key (`true` = the
   * default key) and resumed when the component mounts. Off by default.
   */
  resumeOnReload?: boolean | string;
}

/** The store's plumbing, which a binding keeps to itself; everything else on the store is an action to hand on. */
type Plumbing = 'getSnapshot' | 'getServerSnapshot' | 'subscribe' | 'detach' | 'resumeSaved';

/** The store's actions (`generate`, `generateAsync`, `abort`, `reset` …), forwarded as they are. */
export type SeedreamStoreActions = Omit<SeedreamStore, Plumbing>;

/**
 * The snapshot's fields as live getters (reactive in templates, `$derived` and `$effect`) plus the actions.
 * `status` or a flag narrows the rest, as on a snapshot: `{#if seedream.isError}{seedream.error.kind}{/if}`.
 */
export type UseSeedreamResult = SeedreamState & SeedreamStoreActions;

let defaultTransport: SeedreamTransport | undefined;

/**
 * A binding only: the store (`@seedream-kit/core/store`) holds the state, its flags and the actions. Every field
 * of its snapshot becomes a reactive getter and every action is handed on, so what the store gains, this gains.
 * Call it while a component initialises (it reads the context and aborts on destroy).
 */
export function useSeedream(options: UseSeedreamOptions = {}): UseSeedreamResult {
  const provided = getContext<SeedreamConfig | undefined>(SEEDREAM_KEY) ?? {};
  const { resumeOnReload } = options;
  const memory = resumeOnReload ? sessionJobMemory(typeof resumeOnReload === 'string' ? resumeOnReload : undefined) : undefined;
  const store = createSeedreamStore(() => ({
    ...options,
    transport: options.transport ?? provided.transport ?? (defaultTransport ??= createHttpTransport({ url: '/api/seedream' })),
    validate: options.validate ?? provided.validate,
    ...(memory && { jobMemory: memory }),
  }));
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
