/**
 * One call's cancellation: the caller's signal, the overall deadline and the stream idle timer all abort the
 * same fetch, and the scope remembers which one did so the error says what happened. Timers are cleared on
 * `dispose()` and unref'd, so they never keep a process alive on their own.
 */
import { APIConnectionError, APITimeoutError, APIUserAbortError, isSeedreamError, type SeedreamError } from '../errors.js';
import type { GenerateResult } from '../types.js';

export type AbortCause = 'user' | 'deadline' | 'idle';

type Timer = ReturnType<typeof setTimeout>;
const MAX_TIMER = 2_147_483_647;

function startTimer(ms: number, callback: () => void): Timer | undefined {
  if (!(ms > 0) || ms > MAX_TIMER) return undefined; // 0, negative, Infinity: no limit
  const timer = setTimeout(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** Node's timers can be restarted in place; a browser's timer id cannot. */
const refreshable = (timer: Timer | undefined): timer is Timer & { refresh(): unknown } =>
  typeof (timer as { refresh?: unknown } | undefined)?.refresh === 'function';

/** Codes of failures that happen before a request is written: nothing can have been billed. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TLS_FAILURE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/;

/** The first `code` found on an error or its causes (undici wraps socket errors in `TypeError('fetch failed')`). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    const nested = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(nested) && nested.length > 0) {
      const inner = errorCode(nested[0]);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether a connection failure happened before the request was sent, and whether trying again can help. */
export function connectFailure(code: string | undefined): 'transient' | 'permanent' | undefined {
  if (!code) return undefined;
  if (NOT_SENT.has(code)) return 'transient';
  if (TLS_FAILURE.test(code)) return 'permanent';
  return undefined;
}

/** A copy of `error` safe to attach as a cause: its message and stack without the secret. */
export function safeCause(error: unknown, secret: string | undefined): unknown {
  if (!secret || !(error instanceof Error)) return error;
  const leaks = (text: unknown) => typeof text === 'string' && text.includes(secret);
  if (!leaks(error.message) && !leaks(error.stack) && !leaks((error.cause as Error | undefined)?.message)) return error;
  const copy = new Error(error.message.split(secret).join('***'));
  copy.name = error.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const code = errorCode(error);
  if (code) (copy as Error & { code?: string }).code = code;
  return copy;
}

/** What `untilAborted` rejects with; `failure()` turns it into the abort's own error. */
const abortedRead = (cause: AbortCause) => new Error(`aborted (${cause})`);

export class CallScope {
  readonly controller = new AbortController();
  cause: AbortCause | undefined;
  private readonly deadlineAt: number;
  private deadlineTimer: Timer | undefined;
  private idleTimer: Timer | undefined;
  private idleArmed = false;
  private onUserAbort: (() => void) | undefined;
  /** Fails the read that `untilAborted` is waiting for (one at a time: a body is read chunk after chunk). */
  private failPendingRead: ((reason: Error) => void) | undefined;

  constructor(
    private readonly userSignal: AbortSignal | undefined,
    readonly timeout: number,
    readonly idleTimeout: number,
  ) {
    this.deadlineAt = timeout > 0 && timeout <= MAX_TIMER ? Date.now() + timeout : Number.POSITIVE_INFINITY;
    if (userSignal?.aborted) {
      this.abort('user');
      return;
    }
    if (userSignal) {
      this.onUserAbort = () => this.abort('user');
      userSignal.addEventListener('abort', this.onUserAbort, { once: true });
    }
    this.deadlineTimer = startTimer(timeout, () => this.abort('deadline'));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(cause: AbortCause): void {
    if (this.cause) return;
    this.cause = cause;
    this.clearTimers();
    this.controller.abort();
    this.failPendingRead?.(abortedRead(cause));
  }

  /**
   * `read` (of a response body), or a rejection as soon as the scope aborts. Aborting the request should fail a
   * pending body read, but Node 20's fetch sometimes leaves one pending for good (seen with `redirect: 'error'`):
   * the call's end must not depend on the fetch in use. The rejection is meant for `failure()`, which turns it into
   * the abort's error.
   */
  untilAborted<T>(read: Promise<T>): Promise<T> {
    if (this.cause) {
      read.catch(() => undefined);
      return Promise.reject(abortedRead(this.cause));
    }
    // Not Promise.race against one long-lived promise: each race would leave it a reaction holding that read's
    // chunk until the call ends (60 MB of a b64_json answer).
    return new Promise<T>((resolve, reject) => {
      this.failPendingRead = reject;
      read.then(
        (value) => {
          this.failPendingRead = undefined;
          resolve(value);
        },
        (error: unknown) => {
          this.failPendingRead = undefined;
          reject(error);
        },
      );
    });
  }

  /**
   * Starts (or restarts) the idle timer: used only while waiting for stream bytes. Under Node one timer serves the
   * whole stream (`refresh()` per chunk): a new timer per chunk is garbage that outlives the young generation,
   * since chunks of a slow stream come seconds apart.
   */
  startIdle(): void {
    if (refreshable(this.idleTimer)) {
      this.idleArmed = true;
      this.idleTimer.refresh(); // also rearms a timer that fired while paused
      return;
    }
    this.clearIdle();
    this.idleArmed = true;
    this.idleTimer = startTimer(this.idleTimeout, () => {
      if (this.idleArmed) this.abort('idle');
    });
  }

  /** Pauses the idle timer: a refreshable one stays (firing while paused does nothing); any other is cleared. */
  stopIdle(): void {
    if (refreshable(this.idleTimer)) this.idleArmed = false;
    else this.clearIdle();
  }

  /** Ends the idle timer (the next `startIdle` makes a new one): a stream handed to its caller has none until it is read. */
  clearIdle(): void {
    this.idleArmed = false;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Milliseconds left before the deadline. */
  remaining(): number {
    return this.deadlineAt - Date.now();
  }

  /** Waits `ms`, or rejects at once with the abort error when the call is aborted meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.cause) {
        reject(this.abortError());
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(this.abortError());
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private clearTimers(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.clearIdle();
  }

  /** Releases timers and the listener on the caller's signal. */
  dispose(): void {
    this.clearTimers();
    if (this.onUserAbort) this.userSignal?.removeEventListener('abort', this.onUserAbort);
  }

  /** The error for the current abort cause. */
  abortError(extra: { partialResult?: GenerateResult | undefined; requestId?: string | undefined } = {}): SeedreamError {
    const options = { partialResult: extra.partialResult, requestId: extra.requestId };
    if (this.cause === 'deadline') {
      return new APITimeoutError(
        `No complete answer within ${this.timeout} ms (timeout). The generation may still finish upstream and be billed${extra.requestId ? `; request id ${extra.requestId}` : ''}.`,
        { ...options, phase: 'deadline', timeout: this.timeout },
      );
    }
    if (this.cause === 'idle') {
      return new APITimeoutError(
        `The stream sent nothing for ${this.idleTimeout} ms (streamIdleTimeout)${extra.requestId ? `; request id ${extra.requestId}` : ''}.`,
        { ...options, phase: 'idle', timeout: this.idleTimeout },
      );
    }
    return new APIUserAbortError('The request was aborted by the caller. Aborting does not cancel billing of images already generated.', {
      ...options,
      cause: this.userSignal?.reason,
    });
  }

  /**
   * The error for a failed fetch or body read: the abort cause when the scope aborted, else a connection error
   * whose `phase` says whether the request can have been billed.
   */
  failure(
    error: unknown,
    stage: 'fetch' | 'body',
    extra: { partialResult?: GenerateResult | undefined; requestId?: string | undefined; apiKey?: string | undefined } = {},
  ): SeedreamError {
    if (this.cause) return this.abortError(extra);
    if (isSeedreamError(error)) return error;
    const code = errorCode(error);
    const cause = safeCause(error, extra.apiKey);
    const options = { code, cause, partialResult: extra.partialResult, requestId: extra.requestId };
    if (stage === 'fetch' && connectFailure(code)) {
      return new APIConnectionError(`Could not connect (${code}); the request was not sent.`, { ...options, phase: 'connect' });
    }
    const where = stage === 'fetch' ? 'before a response arrived' : 'while reading the response';
    return new APIConnectionError(
      `The connection failed ${where}${code ? ` (${code})` : ''}. The request was sent, so images may have been generated and billed${extra.requestId ? `; request id ${extra.requestId}` : ''}.`,
      { ...options, phase: 'transfer' },
    );
  }
}
