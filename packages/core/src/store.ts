/**
 * `@seedream-kit/core/store`: the state of one generation slot, framework-free and browser-safe (no Node
 * built-ins, no framework). A UI binding only subscribes and forwards: React's `useSeedream` reads it through
 * `useSyncExternalStore`; a Vue or Svelte binding does the same with `subscribe` / `getSnapshot`.
 *
 * Each snapshot carries the status and its flags (`isIdle` … `isError`), computed once per change, so a
 * snapshot is the same object until the state changes. The actions are plain functions (no `this`), ready to be
 * handed on as they are.
 *
 * Last call wins: every call owns an AbortController, and only the current call may write. `generate` and
 * `reset` detach (and abort) the previous call first, so a late answer can never overwrite a newer state,
 * even from a transport that ignores its signal.
 */
import { CLIENT_ERROR_KINDS, SeedreamClientError, isSeedreamClientError } from './transport.js';
export { bindingStoreConfig } from './internal/binding-config.js';
import type { ClientGenerateParams, ClientImage, ClientResult, ClientUsage, SeedreamTransport, TransportContext } from './transport.js';

export type SeedreamStatus = 'idle' | 'pending' | 'streaming' | 'success' | 'error';

interface StateBase {
  /** The server's id for the generation in flight (or last run): `resume(jobId)` re-attaches to it. */
  jobId: string | undefined;
  images: ClientImage[];
  variables: ClientGenerateParams | undefined;
  result: ClientResult | undefined;
  error: SeedreamClientError | undefined;
  usage: ClientUsage | undefined;
}

type States =
  | (StateBase & { status: 'idle'; variables: undefined; result: undefined; error: undefined; usage: undefined })
  | (StateBase & { status: 'pending'; variables: ClientGenerateParams; result: undefined; error: undefined; usage: undefined })
  | (StateBase & { status: 'streaming'; variables: ClientGenerateParams; result: undefined; error: undefined; usage: undefined })
  | (StateBase & { status: 'success'; variables: ClientGenerateParams; result: ClientResult; error: undefined })
  | (StateBase & { status: 'error'; variables: ClientGenerateParams; result: undefined; error: SeedreamClientError; usage: undefined });

/** Each state with its derived booleans as literals, so `if (state.isSuccess)` narrows like `status === 'success'`. */
export type WithStatusFlags<S> = S extends { status: infer T }
  ? S & {
      isIdle: T extends 'idle' ? true : false;
      isPending: T extends 'pending' ? true : false;
      isStreaming: T extends 'streaming' ? true : false;
      isSuccess: T extends 'success' ? true : false;
      isError: T extends 'error' ? true : false;
    }
  : never;

/** A snapshot: `status` (or any of its flags) narrows the rest — `success` has `result`, `error` a SeedreamClientError. */
export type SeedreamState = WithStatusFlags<States>;

/** A problem found before sending; core's `validateParams` fits (its warnings are ignored). */
export interface ClientValidationIssue {
  path: string;
  message: string;
  severity?: 'error' | 'warning';
}
export type ClientValidator = (params: ClientGenerateParams) => readonly ClientValidationIssue[];

export interface SeedreamCallbacks {
  /** Each image of a streamed generation, as it arrives. */
  onImage?: (image: ClientImage, variables: ClientGenerateParams) => void;
  onSuccess?: (result: ClientResult, variables: ClientGenerateParams) => void;
  onError?: (error: SeedreamClientError, variables: ClientGenerateParams) => void;
  onSettled?: (result: ClientResult | undefined, error: SeedreamClientError | undefined, variables: ClientGenerateParams) => void;
}

export interface SeedreamStoreConfig extends SeedreamCallbacks {
  transport: SeedreamTransport;
  /** Checked before any request, after the built-in checks (prompt present, `max_images` in 1–15). */
  validate?: ClientValidator;
  /** Keeps the running job's id (e.g. `sessionJobMemory()`), so `resumeSaved()` picks it up after a reload. */
  jobMemory?: JobMemory;
}

/** Where the id of a running job is kept across page loads. */
export interface JobMemory {
  get(): string | null | undefined;
  set(jobId: string | undefined): void;
}

/** Job memory in `sessionStorage` (per tab, gone when the tab closes); a no-op where there is none. */
export function sessionJobMemory(key = 'seedream-kit:job'): JobMemory {
  const storage = () => (typeof sessionStorage === 'undefined' ? undefined : sessionStorage);
  return {
    get: () => storage()?.getItem(key),
    set: (jobId) => (jobId ? storage()?.setItem(key, jobId) : storage()?.removeItem(key)),
  };
}

/** What a binding's provider (React's `SeedreamProvider`, Vue's `provideSeedream`, Svelte's context) gives its hooks. */
export interface SeedreamConfig {
  /** Where generations go: `createHttpTransport({ url: '/api/seedream' })`, or the GraphQL transport. */
  transport?: SeedreamTransport | undefined;
  /** Checked in the browser before any request, e.g. core's `validateParams` (adds it to the bundle). */
  validate?: ClientValidator | undefined;
}

/**
 * What every binding's `useSeedream` takes, whatever the framework (each adds only its own unmount rule):
 * `transport` and `validate` override what its provider or context gives.
 */
export interface SeedreamBindingOptions extends SeedreamCallbacks {
  /** Overrides the provided transport. Without either, `createHttpTransport({ url: '/api/seedream' })`. */
  transport?: SeedreamTransport;
  /** Overrides the provided validator. */
  validate?: ClientValidator;
  /**
   * Resume after a page reload: the running job's id is kept in `sessionStorage` under this key (`true` = the
   * default key) and resumed when the component mounts. Off by default.
   */
  resumeOnReload?: boolean | string;
}

/** The job memory a binding's `resumeOnReload` option asks for, if any. */
export function jobMemoryFor(resumeOnReload: boolean | string | undefined): JobMemory | undefined {
  if (!resumeOnReload) return undefined;
  return sessionJobMemory(typeof resumeOnReload === 'string' ? resumeOnReload : undefined);
}

/** What a binding hands to its users as is. */
export interface SeedreamActions {
  /** Fire and forget: the outcome lands in the state (and the callbacks). A newer call replaces an older one. */
  generate(params: ClientGenerateParams): void;
  /** Resolves to the result; rejects with a SeedreamClientError (`aborted` if a newer call replaced it). */
  generateAsync(params: ClientGenerateParams): Promise<ClientResult>;
  /** Cancels the generation in flight, on the server too. The provider still bills images it already started:
   *  abort does not refund. */
  abort(): void;
  /** Re-attaches to a job by id (from `jobId`): its images so far, then the rest. Resolves like `generateAsync`. */
  resume(jobId: string, variables?: ClientGenerateParams): Promise<ClientResult>;
  /** Forgets the state and detaches (aborts) the call in flight. */
  reset(): void;
}

export interface SeedreamStore extends SeedreamActions {
  /** The current state; the same object until the state changes. */
  getSnapshot(): SeedreamState;
  /** Always idle: nothing is generated during server rendering. */
  getServerSnapshot(): SeedreamState;
  /** Called after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Aborts the call in flight without calling back (a binding's unmount); the state becomes an `aborted` error. */
  detach(): void;
  /** Resumes the job kept in `jobMemory`, if any (a binding calls it on mount). */
  resumeSaved(): void;
}

/** The snapshot of a state: the fields a status leaves out are undefined, and its flags are computed here, once. */
const snapshot = (status: SeedreamStatus, fields: Partial<StateBase> = {}): SeedreamState =>
  ({
    jobId: undefined,
    images: [],
    variables: undefined,
    result: undefined,
    error: undefined,
    usage: undefined,
    ...fields,
    status,
    isIdle: status === 'idle',
    isPending: status === 'pending',
    isStreaming: status === 'streaming',
    isSuccess: status === 'success',
    isError: status === 'error',
  }) as SeedreamState;

const IDLE: SeedreamState = Object.freeze(snapshot('idle'));

interface Call {
  controller: AbortController;
  jobId?: string;
  idempotencyKey?: string;
  /** Set by `abort()`, which settles the state at once instead of waiting for the transport. */
  abortError?: SeedreamClientError;
}

/** `config` may be a function, read at each use (how a binding passes its latest callbacks). */
export function createSeedreamStore(config: SeedreamStoreConfig | (() => SeedreamStoreConfig)): SeedreamStore {
  const read = typeof config === 'function' ? config : () => config;
  const listeners = new Set<() => void>();
  let state = IDLE;
  let current: Call | undefined;

  const set = (next: SeedreamState) => {
    state = next;
    for (const listener of [...listeners]) listener();
  };

  /** Stops a call, and its job on the server (a job outlives its connection). */
  const cancel = (call: Call | undefined) => {
    if (!call) return;
    call.controller.abort();
    const { jobId, idempotencyKey } = call;
    if (jobId || idempotencyKey)
      void read()
        .transport.cancel?.({ jobId, idempotencyKey })
        ?.catch(() => undefined);
  };

  /** Silent: the caller sets the next state itself (a new call, or idle). */
  const detach = () => {
    const call = current;
    current = undefined;
    cancel(call);
  };

  const remember = (jobId: string | undefined) => read().jobMemory?.set(jobId);

  const fail = (error: SeedreamClientError, variables: ClientGenerateParams, callBack = true) => {
    const images = state.images.length ? state.images : (error.partialResult?.images ?? []);
    // An interrupted job's id stays remembered: its images are still there to be read.
    if (error.kind !== 'network') remember(undefined);
    set(snapshot('error', { jobId: state.jobId, images, variables, error }));
    if (!callBack) return;
    const { onError, onSettled } = read();
    notify(() => onError?.(error, variables));
    notify(() => onSettled?.(undefined, error, variables));
  };

  function abortCurrent(callBack: boolean) {
    const call = current;
    if (!call || !state.variables) return;
    const partialResult: ClientResult = { images: state.images, model: String(state.variables.model ?? ''), created: 0 };
    call.abortError = new SeedreamClientError('aborted', CLIENT_ERROR_KINDS.aborted.message, { partialResult });
    current = undefined;
    cancel(call);
    fail(call.abortError, state.variables, callBack);
  }

  async function run(variables: ClientGenerateParams, resumeId?: string): Promise<ClientResult> {
    detach();
    const call: Call = { controller: new AbortController() };
    current = call;
    const live = () => current === call;
    const { transport, validate } = read();

    const issues = resumeId ? [] : [...builtInIssues(variables), ...(validate?.(variables) ?? [])].filter((issue) => issue.severity !== 'warning');
    if (issues.length) {
      current = undefined;
      const fields = issues.map(({ path, message }) => ({ path, message }));
      const error = new SeedreamClientError('validation', `Invalid request: ${fields.map((f) => `${f.path || '(request)'}: ${f.message}`).join('; ')}`, {
        fields,
      });
      fail(error, variables);
      throw error;
    }

    if (resumeId) call.jobId = resumeId;
    set(snapshot('pending', { jobId: resumeId, variables }));
    let result: ClientResult;
    try {
      const ctx: TransportContext = {
        signal: call.controller.signal,
        onJob: (jobId) => {
          if (!live()) return;
          call.jobId = jobId;
          remember(jobId);
          set(snapshot(state.status, { ...state, jobId }));
        },
        onEvent: (event) => {
          if (!live() || event.type !== 'image') return;
          const images = [...state.images, event.image];
          set(snapshot('streaming', { jobId: state.jobId, images, variables }));
          const { onImage } = read();
          notify(() => onImage?.(event.image, variables));
        },
      };
      if (!resumeId) result = await transport.generate(variables, { ...ctx, idempotencyKey: (call.idempotencyKey = newKey()) });
      else if (transport.resume) result = await transport.resume(resumeId, ctx);
      else throw new SeedreamClientError('bad_request', 'This transport cannot resume jobs');
    } catch (caught) {
      if (!live()) throw call.abortError ?? detachedError(caught);
      current = undefined;
      const kind = call.controller.signal.aborted ? 'aborted' : 'network';
      const error = isSeedreamClientError(caught) ? caught : new SeedreamClientError(kind, CLIENT_ERROR_KINDS[kind].message, { cause: caught });
      fail(error, variables);
      throw error;
    }
    if (!live()) throw call.abortError ?? new SeedreamClientError('aborted', 'A newer generation replaced this one', { partialResult: result });
    current = undefined;
    remember(undefined);
    set(snapshot('success', { jobId: call.jobId, images: result.images, variables, result, usage: result.usage }));
    const { onSuccess, onSettled } = read();
    notify(() => onSuccess?.(result, variables));
    notify(() => onSettled?.(result, undefined, variables));
    return result;
  }

  return {
    getSnapshot: () => state,
    getServerSnapshot: () => IDLE,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // The outcome is in the state and the callbacks: the rejection is expected, not unhandled.
    generate: (params) => void run(params).catch(() => undefined),
    generateAsync: (params) => run(params),
    resume: (jobId, variables = {} as ClientGenerateParams) => run(variables, jobId),
    resumeSaved() {
      const saved = read().jobMemory?.get();
      if (saved && !current) void run({} as ClientGenerateParams, saved).catch(() => undefined);
    },
    abort: () => abortCurrent(true),
    reset() {
      detach();
      remember(undefined);
      if (state !== IDLE) set(IDLE);
    },
    detach: () => abortCurrent(false),
  };
}

/** A fresh idempotency key per call (crypto.randomUUID needs a secure context; getRandomValues does not). */
const newKey = (): string => Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join('-');

function detachedError(cause: unknown): SeedreamClientError {
  return new SeedreamClientError('aborted', 'A newer generation replaced this one', {
    cause,
    partialResult: isSeedreamClientError(cause) ? cause.partialResult : undefined,
  });
}

/** The checks every request needs, cheap enough for the browser bundle; pass core's `validateParams` for all. */
function builtInIssues(params: ClientGenerateParams): ClientValidationIssue[] {
  const issues: ClientValidationIssue[] = [];
  if (!params.layer_decomposition && (typeof params.prompt !== 'string' || !params.prompt.trim())) {
    issues.push({ path: 'prompt', message: 'A prompt is required' });
  }
  const max = params.sequential_image_generation_options?.max_images;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= 15)) {
    issues.push({ path: 'sequential_image_generation_options.max_images', message: 'Must be an integer from 1 to 15' });
  }
  if (Array.isArray(params.image) && !params.image.length) issues.push({ path: 'image', message: 'Give at least one image or leave it out' });
  return issues;
}

/** A throwing callback must not corrupt the state machine: report it as an uncaught error instead. */
function notify(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}
