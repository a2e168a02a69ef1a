import { useContext, useEffect, useInsertionEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { SeedreamContext } from './provider.js';
import {
  bindingStoreConfig,
  createSeedreamStore,
  jobMemoryFor,
  type SeedreamActions,
  type SeedreamBindingOptions,
  type SeedreamState,
} from '@seedream-kit/core/store';

export type { SeedreamActions } from '@seedream-kit/core/store';

export interface UseSeedreamOptions extends SeedreamBindingOptions {
  /** Abort the request in flight when the component unmounts (which cancels its job). Default `true`. */
  abortOnUnmount?: boolean;
}

/** The store's snapshot (status and its flags; `status` or a flag narrows the rest) plus its actions. */
export type UseSeedreamResult = SeedreamState & SeedreamActions;

/** A binding only: the store (`@seedream-kit/core/store`) holds the state, its flags and the actions. */
export function useSeedream(options: UseSeedreamOptions = {}): UseSeedreamResult {
  const context = useContext(SeedreamContext);
  const latest = useRef({ options, context });
  // Committed props only (a discarded render must not leak its callbacks); runs before any event handler.
  useInsertionEffect(() => {
    latest.current = { options, context };
  });

  const [memory] = useState(() => jobMemoryFor(options.resumeOnReload));
  const [store] = useState(() =>
    createSeedreamStore(() => {
      const { options: current, context: config } = latest.current;
      return bindingStoreConfig(current, config, memory);
    }),
  );
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);

  // StrictMode unmounts and remounts at once: the abort waits a microtask and is dropped if the hook came back.
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    store.resumeSaved();
    return () => {
      mounted.current = false;
      void Promise.resolve().then(() => {
        if (!mounted.current && latest.current.options.abortOnUnmount !== false) store.detach();
      });
    };
  }, [store]);

  const { generate, generateAsync, abort, reset, resume } = store;
  return useMemo(() => ({ ...state, generate, generateAsync, abort, reset, resume }), [state, generate, generateAsync, abort, reset, resume]);
}
