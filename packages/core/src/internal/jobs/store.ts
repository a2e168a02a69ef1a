/**
 * Where jobs live: a record per job (who owns it, its state, which instance runs it, that instance's last
 * heartbeat) and an append-only log of its events, which is what resume replays. The interface is small so a
 * shared store (the Redis store of @seedream-kit/redis) can implement it and N instances behave as one; the
 * in-memory store is the default.
 */
import type { ClientImage, ClientUsage } from '../../transport.js';
import type { WireError } from '../wire.js';

/** `running` until one terminal event: `done` → succeeded; an error → failed, cancelled (`aborted`) or interrupted. */
export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** One entry of a job's log, in the shape the browser reads. Every log ends with exactly one `done` or `error`.
 *  `model`, `created` and `requestId` are what the provider reported, for adapters that show them (GraphQL). */
export type JobEvent =
  | { type: 'image'; image: ClientImage; model?: string; created?: number }
  | { type: 'done'; model: string; created: number; usage?: ClientUsage; requestId?: string }
  | { type: 'error'; error: WireError };

export interface JobRecord {
  /** Unguessable (`job_` + 32 base64url characters: 192 random bits). */
  id: string;
  /** The caller id the spending policy gave; nobody else can read, resume or cancel the job. */
  owner: string;
  state: JobState;
  /** The instance running the generation. */
  instance: string;
  createdAt: number;
  /** The running instance's last sign of life (ms since the epoch); a job whose heartbeat stops ends `interrupted`. */
  heartbeatAt: number;
  /** Whether the caller asked for images one by one. */
  stream: boolean;
  /** Hash of the request an idempotency key was first used with; a different request under that key is refused. */
  fingerprint?: string;
}

/** A log entry and its position: read again after `cursor` to get what follows. */
export interface JobEntry {
  cursor: string;
  event: JobEvent;
}

export interface CreateJobOptions {
  /** Attach instead of creating when (owner, key) already names a job. */
  idempotencyKey?: string;
  /** How long an idempotency key keeps naming its job. */
  idempotencyTtlMs: number;
  /** How long a finished job (record, log) is kept. */
  retentionMs: number;
}

export type CreateJobResult = { created: true } | { created: false; jobId: string };

export interface JobStore {
  /** Stores a new running job; with a key already used by the same owner, stores nothing and names that job. */
  create(record: JobRecord, options: CreateJobOptions): Promise<CreateJobResult>;
  /** The job an owner's idempotency key names, if the key is still live. */
  findIdempotent(owner: string, key: string): Promise<string | undefined>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Appends a non-terminal event to a running job's log. */
  append(id: string, event: JobEvent): Promise<void>;
  /**
   * Appends the terminal event and sets the final state, atomically and only while the job is running (and, with
   * `heartbeatBefore`, only if its heartbeat is older: how a dead instance's job is ended). True if it did.
   */
  finish(id: string, event: JobEvent, state: Exclude<JobState, 'running'>, condition?: { heartbeatBefore?: number }): Promise<boolean>;
  /**
   * Entries after `after` (from the start without it, or with a cursor this store never gives); waits up to
   * `waitMs` when there are none yet, less if `signal` aborts.
   */
  read(id: string, after: string | undefined, options: { waitMs: number; signal?: AbortSignal }): Promise<JobEntry[]>;
  /** Marks the running instance's jobs alive. */
  heartbeat(ids: readonly string[], now: number): Promise<void>;
  /** Asks whichever instance runs the job to cancel it. */
  requestCancel(id: string): Promise<void>;
  /** Which of these jobs have a cancel request (the running instance asks on each heartbeat). */
  cancelRequests(ids: readonly string[]): Promise<string[]>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

export const isTerminal = (event: JobEvent): boolean => event.type !== 'image';
