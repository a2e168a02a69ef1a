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
import { createHttpTransport } from '@seedream-kit/core/http';
import {
  createSeedreamStore,
  sessionJobMemory,
  type SeedreamCallbacks,
  type SeedreamState,
  type SeedreamStore,
  type ClientValidator,
} from '@seedream-kit/core/store';
import type { SeedreamTransport } from '@seedream-kit/core/transport';
import { SEEDREAM_KEY, type SeedreamConfig } from './provider.js';

export interface UseSeedreamOptions extends SeedreamCallbacks {
  /** Overrides the provided transport. Without either, `createHttpTransport({ url: '/api/seedream' })`. */
  transport?: SeedreamTransport;
  /** Overrides the provided validator. */
  validate?: ClientValidator;
  /** Abort the request in flight when the component (the effect scope) is disposed. Default `true`. */
  abortOnDispose?: boolean;
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

/** One read-only ref per field of the snapshot: `status`, its flags, `images`, `error`, `usage`, `result`, `variables`. */
export type SeedreamRefs = { readonly [K in keyof SeedreamState]: Readonly<Ref<SeedreamState[K]>> };

export type UseSeedreamReturn = SeedreamRefs &
  SeedreamStoreActions & {
    /** The whole snapshot, for narrowing: `if (state.value.isError) state.value.error.kind`. */
    readonly state: ComputedRef<SeedreamState>;
  };

let defaultTransport: SeedreamTransport | undefined;

/**
 * A binding only: the store (`@seedream-kit/core/store`) holds the state, its flags and the actions. Every field
 * of its snapshot becomes a ref and every action is handed on, so what the store gains, this gains.
 */
export function useSeedream(options: UseSeedreamOptions = {}): UseSeedreamReturn {
  const provided: SeedreamConfig = hasInjectionContext() ? inject(SEEDREAM_KEY, {}) : {};
  const { resumeOnReload } = options;
  const memory = resumeOnReload ? sessionJobMemory(typeof resumeOnReload === 'string' ? resumeOnReload : undefined) : undefined;
  const store = createSeedreamStore(() => ({
    ...options,
    transport: options.transport ?? provided.transport ?? (defaultTransport ??= createHttpTransport({ url: '/api/seedream' })),
    validate: options.validate ?? provided.validate,
    ...(memory && { jobMemory: memory }),
  }));
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
