import { useCallback, useContext, useEffect, useInsertionEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { SeedreamContext } from './provider.js';
import { createSeedreamStore, type ClientValidator, type SeedreamCallbacks, type SeedreamState } from './store.js';
import { createHttpTransport } from './transport/http.js';
import type { ClientGenerateParams, ClientResult, SeedreamTransport } from '@seedream-kit/core/transport';

export interface UseSeedreamOptions extends SeedreamCallbacks {
  /** Overrides the provider's transport. Without either, `createHttpTransport({ url: '/api/seedream' })`. */
  transport?: SeedreamTransport;
  /** Overrides the provider's validator. */
  validate?: ClientValidator;
  /** Abort the request in flight when the component unmounts. Default `true`. */
  abortOnUnmount?: boolean;
}

/** Each state with its derived booleans as literals, so `if (isSuccess)` narrows like `status === 'success'`. */
type WithFlags<S> = S extends { status: infer T }
  ? S & {
      isIdle: T extends 'idle' ? true : false;
      isPending: T extends 'pending' ? true : false;
      isStreaming: T extends 'streaming' ? true : false;
      isSuccess: T extends 'success' ? true : false;
      isError: T extends 'error' ? true : false;
    }
  : never;

export interface SeedreamActions {
  /** Fire and forget: the outcome lands in the state (and the callbacks). A newer call replaces an older one. */
  generate(params: ClientGenerateParams): void;
  /** Resolves to the result; rejects with a SeedreamClientError (`aborted` if a newer call replaced it). */
  generateAsync(params: ClientGenerateParams): Promise<ClientResult>;
  /** Cancels the request in flight. The provider still bills images it already started: abort does not refund. */
  abort(): void;
  /** Forgets the state and detaches (aborts) the call in flight. */
  reset(): void;
}

/** `status` narrows the rest: `success` has `result`, `error` has a SeedreamClientError. */
export type UseSeedreamResult = WithFlags<SeedreamState> & SeedreamActions;

let defaultTransport: SeedreamTransport | undefined;

export function useSeedream(options: UseSeedreamOptions = {}): UseSeedreamResult {
  const context = useContext(SeedreamContext);
  const latest = useRef({ options, context });
  // Committed props only (a discarded render must not leak its callbacks); runs before any event handler.
  useInsertionEffect(() => {
    latest.current = { options, context };
  });

  const [store] = useState(() =>
    createSeedreamStore(() => {
      const { options: current, context: config } = latest.current;
      return {
        ...current,
        transport: current.transport ?? config.transport ?? (defaultTransport ??= createHttpTransport({ url: '/api/seedream' })),
        validate: current.validate ?? config.validate,
      };
    }),
  );
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);

  // StrictMode unmounts and remounts at once: the abort waits a microtask and is dropped if the hook came back.
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      void Promise.resolve().then(() => {
        if (!mounted.current && latest.current.options.abortOnUnmount !== false) store.detach();
      });
    };
  }, [store]);

  const generate = useCallback((params: ClientGenerateParams) => void store.generate(params).catch(() => undefined), [store]);

  return useMemo(
    () =>
      ({
        ...state,
        isIdle: state.status === 'idle',
        isPending: state.status === 'pending',
        isStreaming: state.status === 'streaming',
        isSuccess: state.status === 'success',
        isError: state.status === 'error',
        generate,
        generateAsync: store.generate,
        abort: store.abort,
        reset: store.reset,
      }) as UseSeedreamResult,
    [state, store, generate],
  );
}
