/**
 * Paid generations as durable jobs (docs/api-contract.md, §11). A generation runs to its end on the instance
 * that started it, whoever is listening: a caller that disconnects, reloads or retries re-attaches by job id
 * and gets every event once, in order, then the end. Only an explicit cancel stops the upstream call (which may
 * still bill what it started). The same idempotency key from the same caller attaches instead of paying twice.
 * A job whose instance dies ends `interrupted` once its heartbeat runs out, keeping the images it reported; it is
 * never resubmitted elsewhere, since that would bill again.
 */
import type { SeedreamClient } from '../../client.js';
import type { ClientImage, ClientResult } from '../../transport.js';
import type { GeneratedImage, GenerateParams } from '../../types.js';
import type { Admission, Caller } from '../policy/policy.js';
import { SpendingPolicyError } from '../policy/errors.js';
import { encodeBase64 } from '../base64.js';
import { sniffImageType } from '../sniff.js';
import { toClientImage, toClientUsage, toWireError, wireError, type WireError } from '../wire.js';
import { isJobId, newJobId } from './ids.js';
import { MemoryJobStore } from './memory-store.js';
import { type PersistOptions, type StoredImage, storedImageKey } from './storage.js';
import { type JobEntry, type JobEvent, type JobRecord, type JobState, type JobStore, isTerminal } from './store.js';

export interface JobsOptions {
  /** The core client that holds the key. */
  client: Pick<SeedreamClient, 'generate' | 'model'>;
  /** Where records and event logs live. Default: this process's memory (one instance). */
  store?: JobStore;
  /** Store every image before reporting it, and report the app's own URL for it. Default: off. */
  persist?: PersistOptions;
  /** What a caller's disconnect does: `'keep'` (default) lets the generation finish and keeps its images;
   *  `'cancel'` stops it (the provider may still bill what it started). */
  onDisconnect?: 'keep' | 'cancel';
  /** How long an idempotency key keeps naming its job. Default 24 h. */
  idempotencyWindowSeconds?: number;
  /** How long a finished job can still be read and resumed. Default 24 h. */
  retentionSeconds?: number;
  /** How often this instance marks its running jobs alive (and picks up cancels made elsewhere). Default 2 000 ms. */
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this ends `interrupted`. Default 15 000 ms. */
  staleAfterMs?: number;
  /** Names this instance in job records. Default: random. */
  instanceId?: string;
  /** How long a store failure is retried before an event is given up (reported to `onError`). Default 60 000 ms. */
  storeRetryMs?: number;
  /** Sees every failure with the full error, for your logs (`context` is what the adapter passed to `start`: the route's Request). */
  onError?: (error: unknown, info: { jobId?: string; context?: unknown }) => void;
}

/** A job as its owner may see it: the replayed log folded into a state. */
export interface JobView {
  id: string;
  state: JobState;
  images: ClientImage[];
  /** When succeeded. */
  result?: ClientResult;
  /** When failed, cancelled or interrupted. */
  error?: WireError;
  /** The provider's request id, when succeeded. */
  requestId?: string;
}

export interface StartJobInput {
  admission: Admission;
  /** The caller's idempotency key (`Idempotency-Key`), if any. */
  idempotencyKey?: string;
  /** `requestFingerprint()` of the request, when a key is given. */
  fingerprint?: string;
  /** Handed to `onError` with the job's failures (an adapter passes its request). Held only while the job runs. */
  context?: unknown;
}

export interface SeedreamJobs {
  readonly onDisconnect: 'keep' | 'cancel';
  /** Jobs running on this instance. */
  readonly running: number;
  /** Before admitting a request: the job the caller's key already names (refused with 422 if the request differs). */
  findIdempotent(caller: Caller, key: string, fingerprint: string): Promise<string | undefined>;
  /** The job an owner's idempotency key names (to cancel a call whose job id never reached the browser). */
  byKey(caller: Caller, key: string): Promise<string | undefined>;
  /** Starts an admitted generation; `created: false` when the key was taken meanwhile (the admission is given back). */
  start(input: StartJobInput): Promise<{ jobId: string; created: boolean }>;
  /** Every event after `after` (all of them without it), then the live ones, until the terminal event. */
  follow(jobId: string, caller: Caller, options?: { after?: string; signal?: AbortSignal }): AsyncGenerator<JobEntry, void, undefined>;
  /**
   * The job's whole log once it has ended (the terminal event last), for a caller that wants only the outcome, as
   * a JSON answer or a GraphQL mutation does; undefined when `signal` fires first. The same entries `follow`
   * yields, without reading each one as it comes while the job runs here.
   */
  outcome(jobId: string, caller: Caller, options?: { signal?: AbortSignal }): Promise<JobEntry[] | undefined>;
  get(jobId: string, caller: Caller): Promise<JobView>;
  /** Stops the job's upstream call wherever it runs; resolves once it has ended (or after `waitMs`). */
  cancel(jobId: string, caller: Caller, options?: { waitMs?: number }): Promise<JobView>;
  /** A persisted image of one of the caller's jobs. */
  image(jobId: string, caller: Caller, index: number): Promise<StoredImage>;
  /** Stops taking jobs, lets running ones finish up to the deadline, then ends the rest `interrupted`. */
  shutdown(options?: { deadlineMs?: number }): Promise<void>;
}

interface LocalJob {
  /** The caller that started it (its record's `owner`, which never changes). */
  owner: string;
  upstream: AbortController;
  context: unknown;
  ended: Promise<void>;
  /** Ends the job's wait without its run (see `halt`). */
  release: () => void;
  cancelled: boolean;
  interruptedBy?: 'shutdown';
}

/** How long a stopped job's run may take to notice the abort before the job is ended without it. */
const STOP_GRACE_MS = 5000;
/** How long a reader of a job running in this process waits for its next event before looking again. */
const LOCAL_WAIT_MS = 60_000;

const notFound = () => new SpendingPolicyError('not_found', 404, 'No such job');
const unavailable = (message = CLIENT_UNAVAILABLE) => new SpendingPolicyError('unavailable', 503, message);
const CLIENT_UNAVAILABLE = 'The job store is unreachable; try again shortly';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export function createJobs(options: JobsOptions): SeedreamJobs {
  if (!options?.client || typeof options.client.generate !== 'function') throw new TypeError('createJobs: `client` (a @seedream-kit/core client) is required');
  const { client, persist } = options;
  const store = options.store ?? new MemoryJobStore();
  const onDisconnect = options.onDisconnect ?? 'keep';
  const idempotencyTtlMs = (options.idempotencyWindowSeconds ?? 86_400) * 1000;
  const retentionMs = (options.retentionSeconds ?? 86_400) * 1000;
  const heartbeatMs = options.heartbeatMs ?? 2000;
  const staleAfterMs = options.staleAfterMs ?? 15_000;
  const storeRetryMs = options.storeRetryMs ?? 60_000;
  const instance = options.instanceId ?? newJobId().slice(4, 16);
  const local = new Map<string, LocalJob>();
  let closing = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const report = (error: unknown, jobId?: string) => {
    const context = jobId === undefined ? undefined : local.get(jobId)?.context;
    try {
      options.onError?.(error, jobId === undefined ? {} : { jobId, ...(context !== undefined ? { context } : {}) });
    } catch {
      // a failing logger must not change the outcome
    }
  };

  const storeFailure = (error: unknown): never => {
    if (error instanceof SpendingPolicyError) throw error;
    report(error);
    throw unavailable();
  };
  /**
   * A store call on the request path: a store failure is a clear 503, never a stack trace. Not an async function:
   * every follower waits in one of these, and an async frame per waiter is memory held per open stream.
   */
  function ask<T>(call: () => Promise<T>): Promise<T> {
    try {
      return call().catch(storeFailure);
    } catch (error) {
      return Promise.reject(error).catch(storeFailure);
    }
  }

  /** A write a paid result depends on: retried with backoff while the store is away (nothing paid is dropped). */
  async function durably(jobId: string, write: () => Promise<unknown>): Promise<void> {
    const deadline = Date.now() + storeRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await write();
        return;
      } catch (error) {
        if (Date.now() >= deadline) {
          report(error, jobId);
          return;
        }
        await sleep(Math.min(100 * 2 ** attempt, 2000));
      }
    }
  }

  async function owned(jobId: string, caller: Caller): Promise<JobRecord> {
    if (!isJobId(jobId)) throw notFound();
    const record = await ask(() => store.get(jobId));
    // Someone else's job reads exactly like no job: ids cannot be probed.
    if (!record || record.owner !== caller.id) throw notFound();
    return record;
  }

  function beat() {
    if (heartbeat || local.size === 0) return;
    heartbeat = setInterval(async () => {
      if (local.size === 0) {
        clearInterval(heartbeat);
        heartbeat = undefined;
        return;
      }
      const ids = [...local.keys()];
      // Two separate steps: a failing heartbeat must not keep cancels made elsewhere from being picked up.
      await store.heartbeat(ids, Date.now()).catch(report);
      await store
        .cancelRequests(ids)
        .then((cancelled) => {
          for (const id of cancelled) stop(id);
        })
        .catch(report);
    }, heartbeatMs);
    heartbeat.unref?.();
  }

  function stop(jobId: string) {
    const job = local.get(jobId);
    if (!job || job.upstream.signal.aborted) return;
    job.cancelled = true;
    halt(jobId, job);
  }

  /**
   * Aborts a job's upstream call. Its run normally ends at once; if some step ignores the abort, the job is ended
   * here after a grace period, with the events logged so far: a stopped job never stays `running`.
   */
  function halt(jobId: string, job: LocalJob) {
    job.upstream.abort();
    setTimeout(async () => {
      if (local.get(jobId) !== job) return;
      report(new Error(`job ${jobId}: its run did not end ${STOP_GRACE_MS} ms after the abort; ended without it`), jobId);
      await durably(jobId, () => store.finish(jobId, { type: 'error', error: stoppedError(job) }, stoppedState(job)));
      job.release();
    }, STOP_GRACE_MS).unref?.();
  }

  /** Reports an image: stored first when persisting (a failed store keeps the provider's URL, never loses the image). */
  async function publish(jobId: string, image: GeneratedImage, params: GenerateParams, signal: AbortSignal): Promise<ClientImage> {
    const shown = toClientImage(image);
    if (!shown.error && !shown.output_format && params.output_format) shown.output_format = params.output_format;
    if (!persist || image.error) return shown;
    try {
      const bytes = image.bytes ?? (image.url ? await untilAborted(persist.download(image.url, signal), signal) : undefined);
      if (!bytes) return shown;
      const contentType = sniffImageType(bytes)?.mime ?? 'application/octet-stream';
      await persist.storage.put(storedImageKey(jobId, image.index), { bytes, contentType });
      return { ...shown, url: persist.url(jobId, image.index) };
    } catch (error) {
      if (!signal.aborted) report(error, jobId); // a download given up for a cancel is no failure
      return shown;
    }
  }

  async function run(jobId: string, admission: Admission, job: LocalJob): Promise<void> {
    const params: GenerateParams = admission.params;
    const signal = job.upstream.signal;
    let generated = 0;
    let done: JobEvent | undefined;
    const emit = async (image: GeneratedImage, model: string, created: number) => {
      if (!image.error) generated++;
      const shown = await publish(jobId, image, params, signal);
      await durably(jobId, () => store.append(jobId, { type: 'image', image: shown, model, created }));
    };
    const requestId = (id: string | undefined) => (id ? { requestId: id } : {});
    try {
      if (params.stream) {
        const stream = await client.generate({ ...params, stream: true }, { signal });
        for await (const event of stream) {
          if (event.type === 'image_generation.completed') {
            const usage = event.usage ? { usage: toClientUsage(event.usage) } : {};
            done = { type: 'done', model: event.model, created: event.created, ...usage, ...requestId(stream.requestId) };
          } else await emit(event.image, event.model, event.created);
        }
      } else {
        const result = await client.generate({ ...params, stream: false }, { signal });
        for (const image of result.images) await emit(image, result.model, result.created);
        const usage = result.usage ? { usage: toClientUsage(result.usage) } : {};
        done = { type: 'done', model: result.model, created: result.created, ...usage, ...requestId(result.requestId) };
      }
      await admission.settle({ generated });
      const final = done ?? { type: 'done', model: String(params.model ?? client.model), created: Math.floor(Date.now() / 1000) };
      await durably(jobId, () => store.finish(jobId, final, 'succeeded'));
    } catch (error) {
      await admission.settle({ generated, error }).catch((settleError) => report(settleError, jobId));
      let state: Exclude<JobState, 'running'> = 'failed';
      let wire: WireError;
      if (job.interruptedBy || job.cancelled) {
        state = stoppedState(job);
        wire = stoppedError(job);
      } else {
        report(error, jobId);
        wire = toWireError(error);
      }
      await durably(jobId, () => store.finish(jobId, { type: 'error', error: wire }, state));
    }
  }

  /** A job whose instance stopped beating ends `interrupted` (by whoever notices first; the store makes it once). */
  async function endIfStale(record: JobRecord): Promise<void> {
    if (record.state !== 'running' || local.has(record.id)) return;
    const heartbeatBefore = Date.now() - staleAfterMs;
    if (record.heartbeatAt >= heartbeatBefore) return;
    await store.finish(record.id, { type: 'error', error: wireError('interrupted') }, 'interrupted', { heartbeatBefore });
  }

  async function view(record: JobRecord): Promise<JobView> {
    await ask(() => endIfStale(record));
    const entries = await ask(() => store.read(record.id, undefined, { waitMs: 0 }));
    const current = entries.some((entry) => isTerminal(entry.event)) ? ((await ask(() => store.get(record.id))) ?? record) : record;
    const out: JobView = { id: record.id, state: current.state, images: [] };
    for (const { event } of entries) {
      if (event.type === 'image') out.images.push(event.image);
      else if (event.type === 'done') {
        out.result = {
          images: [...out.images].sort((a, b) => a.index - b.index),
          model: event.model,
          created: event.created,
          ...(event.usage ? { usage: event.usage } : {}),
        };
        if (event.requestId) out.requestId = event.requestId;
      } else out.error = event.error;
    }
    return out;
  }

  const jobs: SeedreamJobs = {
    onDisconnect,
    get running() {
      return local.size;
    },

    async findIdempotent(caller, key, fingerprint) {
      const jobId = await ask(() => store.findIdempotent(caller.id, key));
      if (!jobId) return undefined;
      const record = await ask(() => store.get(jobId));
      if (!record) return undefined;
      if (record.fingerprint !== fingerprint) {
        throw new SpendingPolicyError('bad_request', 422, 'This Idempotency-Key was already used with a different request');
      }
      return jobId;
    },

    byKey: (caller, key) => ask(() => store.findIdempotent(caller.id, key)),

    async start({ admission, idempotencyKey, fingerprint, context }) {
      const giveBack = () => admission.settle({ generated: 0 }).catch((error) => report(error));
      if (closing) {
        await giveBack();
        throw unavailable('This server is shutting down; try again');
      }
      const now = Date.now();
      const record: JobRecord = {
        id: newJobId(),
        owner: admission.caller.id,
        state: 'running',
        instance,
        createdAt: now,
        heartbeatAt: now,
        stream: admission.params.stream === true,
        ...(fingerprint !== undefined ? { fingerprint } : {}),
      };
      let created: Awaited<ReturnType<JobStore['create']>>;
      try {
        created = await store.create(record, { ...(idempotencyKey !== undefined ? { idempotencyKey } : {}), idempotencyTtlMs, retentionMs });
      } catch (error) {
        report(error);
        await giveBack();
        throw unavailable();
      }
      if (!created.created) {
        // Another request with the same key won the race: it pays, this one attaches.
        await giveBack();
        const existing = await ask(() => store.get(created.jobId));
        if (existing && existing.fingerprint !== fingerprint) {
          throw new SpendingPolicyError('bad_request', 422, 'This Idempotency-Key was already used with a different request');
        }
        return { jobId: created.jobId, created: false };
      }
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const job: LocalJob = { owner: record.owner, upstream: new AbortController(), context, ended: Promise.resolve(), release, cancelled: false };
      local.set(record.id, job);
      job.ended = Promise.race([run(record.id, admission, job), released]).finally(() => {
        if (local.get(record.id) === job) local.delete(record.id);
      });
      beat();
      return { jobId: record.id, created: true };
    },

    async *follow(jobId, caller, { after, signal } = {}) {
      await owned(jobId, caller);
      let cursor = after;
      // A job run elsewhere is checked for staleness every few seconds; one run here wakes its readers itself (and
      // always ends: see halt), so they need no polling, only a long backstop.
      const remoteWaitMs = Math.max(50, Math.min(staleAfterMs / 2, 5000));
      while (!signal?.aborted) {
        const waitMs = local.has(jobId) ? LOCAL_WAIT_MS : remoteWaitMs;
        const entries = await ask(() => store.read(jobId, cursor, { waitMs, ...(signal ? { signal } : {}) }));
        for (const entry of entries) {
          cursor = entry.cursor;
          yield entry;
          if (isTerminal(entry.event)) return;
        }
        if (entries.length === 0 && !signal?.aborted) {
          const record = await ask(() => store.get(jobId));
          if (!record) throw notFound(); // expired while followed
          await ask(() => endIfStale(record));
        }
      }
    },

    async outcome(jobId, caller, { signal } = {}) {
      const job = local.get(jobId);
      if (job) {
        // Running here: its owner is known without asking the store.
        if (job.owner !== caller.id) throw notFound();
        // Its run ends it (see halt) right after writing the terminal event. A run that failed has ended too (its
        // log, or follow below, says how): only the caller's signal means "left before the end".
        const ended = job.ended.then(
          () => true,
          () => true,
        );
        if (!(await (signal ? untilAborted(ended, signal).catch(() => false) : ended))) return undefined;
        const entries = await ask(() => store.read(jobId, undefined, { waitMs: 0 }));
        if (entries.length > 0 && isTerminal(entries[entries.length - 1]!.event)) return entries;
        // The terminal event did not reach the store (given up after storeRetryMs): as `follow` does, wait for it.
      }
      const entries: JobEntry[] = [];
      for await (const entry of jobs.follow(jobId, caller, signal ? { signal } : {})) {
        entries.push(entry);
        if (isTerminal(entry.event)) return entries;
      }
      return undefined;
    },

    async get(jobId, caller) {
      return view(await owned(jobId, caller));
    },

    async cancel(jobId, caller, { waitMs = 10_000 } = {}) {
      const record = await owned(jobId, caller);
      if (record.state === 'running') {
        const job = local.get(jobId);
        if (job) {
          stop(jobId);
          await Promise.race([job.ended, sleep(waitMs)]);
        } else {
          await ask(() => store.requestCancel(jobId));
          await ask(() => endIfStale(record));
          // Wait for the running instance to end it (its next heartbeat sees the request).
          await drain(jobs.follow(jobId, caller, { signal: AbortSignal.timeout(waitMs) }));
        }
      }
      return view(await owned(jobId, caller));
    },

    async image(jobId, caller, index) {
      await owned(jobId, caller);
      if (!persist || !Number.isInteger(index) || index < 0 || index > 14) throw notFound();
      const stored = await ask(() => persist.storage.get(storedImageKey(jobId, index)));
      if (!stored) throw notFound();
      return stored;
    },

    async shutdown({ deadlineMs = 30_000 } = {}) {
      closing = true;
      const all = () => Promise.all([...local.values()].map((job) => job.ended));
      await Promise.race([all(), sleep(deadlineMs)]);
      for (const [id, job] of local) {
        job.interruptedBy = 'shutdown';
        halt(id, job);
      }
      await all();
      clearInterval(heartbeat);
      heartbeat = undefined;
    },
  };
  return jobs;
}

const stoppedState = (job: LocalJob): Exclude<JobState, 'running'> => (job.interruptedBy ? 'interrupted' : 'cancelled');

function stoppedError(job: LocalJob): WireError {
  if (job.interruptedBy) return wireError('interrupted');
  return wireError('aborted', undefined, 'The generation was cancelled; images the provider already started may still be billed');
}

/** A step that must not outlive an abort (a download that ignores its signal): it rejects when the signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Reads to the end; a timed-out or failed wait is fine, the caller reads the state again. */
async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const _ of iterable);
  } catch {
    // see above
  }
}

/** A stable hash of a request body (keys sorted at every depth), for idempotency keys. */
export async function requestFingerprint(body: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(body)));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  if (value instanceof Uint8Array) return JSON.stringify(`bytes:${encodeBase64(value)}`);
  return JSON.stringify(value) ?? 'null';
}
