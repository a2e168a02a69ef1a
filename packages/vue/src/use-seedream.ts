import {
  computed,
  getCurrentInstance,
  getCurrentScope,
  hasInjectionContext,
  inject,
  onMounted,
  onScopeDispose,
  shallowRef,
  type ComputedRef,
  type Ref,
} from 'vue';
import {
  bindingStoreConfig,
  createSeedreamStore,
  jobMemoryFor,
  type SeedreamActions,
  type SeedreamBindingOptions,
  type SeedreamState,
} from '@seedream-kit/core/store';
import { SEEDREAM_KEY, type SeedreamConfig } from './provider.js';

export interface UseSeedreamOptions extends SeedreamBindingOptions {
  /** Abort the request in flight when the component (the effect scope) is disposed. Default `true`. */
  abortOnDispose?: boolean;
}

/** The store's actions (`generate`, `generateAsync`, `abort`, `resume`, `reset`), forwarded as they are. */
export type SeedreamStoreActions = SeedreamActions;

/** One read-only ref per field of the snapshot: `status`, its flags, `images`, `error`, `usage`, `result`, `variables`. */
export type SeedreamRefs = { readonly [K in keyof SeedreamState]: Readonly<Ref<SeedreamState[K]>> };

export type UseSeedreamReturn = SeedreamRefs &
  SeedreamStoreActions & {
    /** The whole snapshot, for narrowing: `if (state.value.isError) state.value.error.kind`. */
    readonly state: ComputedRef<SeedreamState>;
  };

/**
 * A binding only: the store (`@seedream-kit/core/store`) holds the state, its flags and the actions. Every field
 * of its snapshot becomes a ref and every action is handed on, so what the store gains, this gains.
 */
export function useSeedream(options: UseSeedreamOptions = {}): UseSeedreamReturn {
  const provided: SeedreamConfig = hasInjectionContext() ? inject(SEEDREAM_KEY, {}) : {};
  const memory = jobMemoryFor(options.resumeOnReload);
  const store = createSeedreamStore(() => bindingStoreConfig(options, provided, memory));
  const { getSnapshot, getServerSnapshot: _server, subscribe, detach, resumeSaved, ...actions } = store;

  const snapshot = shallowRef(getSnapshot());
  const unsubscribe = subscribe(() => {
    snapshot.value = getSnapshot();
  });
  // In a component, on mount (never during server rendering); in a bare effect scope, at once.
  if (getCurrentInstance()) onMounted(resumeSaved);
  else resumeSaved();
  if (getCurrentScope()) {
    onScopeDispose(() => {
      unsubscribe();
      if (options.abortOnDispose !== false) detach();
    });
  }

  const refs: Partial<Record<keyof SeedreamState, ComputedRef<unknown>>> = {};
  for (const key of Object.keys(snapshot.value) as (keyof SeedreamState)[]) refs[key] = computed(() => snapshot.value[key]);
  return { ...(refs as SeedreamRefs), ...actions, state: computed(() => snapshot.value) };
}
