import { useContext, useEffect, useInsertionEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { SeedreamContext } from './provider.js';
import {
  createSeedreamStore,
  sessionJobMemory,
  type ClientValidator,
  type SeedreamActions,
  type SeedreamCallbacks,
  type SeedreamState,
} from '@seedream-kit/core/store';
import { createHttpTransport } from '@seedream-kit/core/http';
import type { SeedreamTransport } from '@seedream-kit/core/transport';

export type { SeedreamActions } from '@seedream-kit/core/store';

export interface UseSeedreamOptions extends SeedreamCallbacks {
  /** Overrides the provider's transport. Without either, `createHttpTransport({ url: '/api/seedream' })`. */
  transport?: SeedreamTransport;
  /** Overrides the provider's validator. */
  validate?: ClientValidator;
  /** Abort the request in flight when the component unmounts (which cancels its job). Default `true`. */
  abortOnUnmount?: boolean;
  /**
   * Resume after a page reload: the running job's id is kept in `sessionStorage` under this key (`true` = the
   * default key) and resumed on mount. Off by default.
   */
  resumeOnReload?: boolean | string;
}

/** The store's snapshot (status and its flags; `status` or a flag narrows the rest) plus its actions. */
export type UseSeedreamResult = SeedreamState & SeedreamActions;

let defaultTransport: SeedreamTransport | undefined;

/** A binding only: the store (`@seedream-kit/core/store`) holds the state, its flags and the actions. */
export function useSeedream(options: UseSeedreamOptions = {}): UseSeedreamResult {
  const context = useContext(SeedreamContext);
  const latest = useRef({ options, context });
  // Committed props only (a discarded render must not leak its callbacks); runs before any event handler.
  useInsertionEffect(() => {
    latest.current = { options, context };
  });

  const resumeKey = options.resumeOnReload;
  const [memory] = useState(() => (resumeKey ? sessionJobMemory(typeof resumeKey === 'string' ? resumeKey : undefined) : undefined));
  const [store] = useState(() =>
    createSeedreamStore(() => {
      const { options: current, context: config } = latest.current;
      return {
        ...current,
        transport: current.transport ?? config.transport ?? (defaultTransport ??= createHttpTransport({ url: '/api/seedream' })),
        validate: current.validate ?? config.validate,
        ...(memory ? { jobMemory: memory } : {}),
      };
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
