/**
 * Jobs in this process's memory: the default, right for one instance (N instances need a shared store). Bounded:
 * the jobs together hold at most `maxBytes` (b64 results travel as data URIs, megabytes each); past it, the
 * oldest finished jobs are dropped first, before their retention ends. Running jobs are never dropped.
 */
import type { CreateJobOptions, CreateJobResult, JobEntry, JobEvent, JobRecord, JobState, JobStore } from './store.js';

interface Slot {
  record: JobRecord;
  events: JobEvent[];
  bytes: number;
  waiters: Set<() => void>;
  cancelRequested: boolean;
  expiresAt: number | undefined;
}

export interface MemoryJobStoreOptions {
  /** Most bytes the jobs may hold together (roughly: 1 KiB per job, 256 bytes per event, and the lengths of image
   *  URLs and data URIs). Default 256 MiB. */
  maxBytes?: number;
  now?: () => number;
}

/** What an event costs to keep: its image's URL (a data URI for b64 results) plus a fixed overhead. */
const eventBytes = (event: JobEvent) => 256 + (event.type === 'image' ? (event.image.url?.length ?? 0) : 0);
/** What a job costs before any event: its record, slot and map entries (about 1 KB of heap, measured with 20 000
 *  jobs). Without it, jobs with short URLs held about twice what the cap counted. */
const JOB_BYTES = 1024;

export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, Slot>();
  readonly #keys = new Map<string, { jobId: string; expiresAt: number }>();
  readonly #retention = new Map<string, number>();
  readonly #now: () => number;
  readonly #maxBytes: number;
  #bytes = 0;
  #sweptAt = 0;

  constructor(options: MemoryJobStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  async create(record: JobRecord, options: CreateJobOptions): Promise<CreateJobResult> {
    this.#sweep();
    if (options.idempotencyKey !== undefined) {
      const slot = `${record.owner}\u0000${options.idempotencyKey}`;
      const live = this.#keys.get(slot);
      if (live && live.expiresAt > this.#now()) return { created: false, jobId: live.jobId };
      this.#keys.set(slot, { jobId: record.id, expiresAt: this.#now() + options.idempotencyTtlMs });
    }
    this.#jobs.set(record.id, { record: { ...record }, events: [], bytes: JOB_BYTES, waiters: new Set(), cancelRequested: false, expiresAt: undefined });
    this.#retention.set(record.id, options.retentionMs);
    this.#bytes += JOB_BYTES;
    this.#trim();
    return { created: true };
  }

  async findIdempotent(owner: string, key: string): Promise<string | undefined> {
    const live = this.#keys.get(`${owner}\u0000${key}`);
    return live && live.expiresAt > this.#now() ? live.jobId : undefined;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const slot = this.#live(id);
    return slot ? { ...slot.record } : undefined;
  }

  async append(id: string, event: JobEvent): Promise<void> {
    const slot = this.#live(id);
    if (slot?.record.state !== 'running') return;
    this.#push(slot, event);
    this.#wake(slot);
  }

  async finish(id: string, event: JobEvent, state: Exclude<JobState, 'running'>, condition: { heartbeatBefore?: number } = {}): Promise<boolean> {
    const slot = this.#live(id);
    if (slot?.record.state !== 'running') return false;
    if (condition.heartbeatBefore !== undefined && slot.record.heartbeatAt >= condition.heartbeatBefore) return false;
    this.#push(slot, event);
    slot.record.state = state;
    slot.expiresAt = this.#now() + (this.#retention.get(id) ?? 0);
    this.#wake(slot);
    return true;
  }

  async read(id: string, after: string | undefined, options: { waitMs: number; signal?: AbortSignal }): Promise<JobEntry[]> {
    // A cursor this store did not give (`junk`, `-1`, `1.5`) reads from the start, never from a made-up place.
    const from = after !== undefined && /^\d{1,15}$/.test(after) ? Number(after) : 0;
    const slot = this.#live(id);
    if (!slot) return [];
    if (slot.events.length <= from && options.waitMs > 0 && !options.signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          slot.waiters.delete(done);
          options.signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, options.waitMs);
        slot.waiters.add(done);
        options.signal?.addEventListener('abort', done, { once: true });
      });
    }
    return slot.events.slice(from).map((event, offset) => ({ cursor: String(from + offset + 1), event }));
  }

  async heartbeat(ids: readonly string[], now: number): Promise<void> {
    for (const id of ids) {
      const slot = this.#jobs.get(id);
      if (slot && slot.record.state === 'running') slot.record.heartbeatAt = now;
    }
  }

  async requestCancel(id: string): Promise<void> {
    const slot = this.#live(id);
    if (slot) slot.cancelRequested = true;
  }

  async cancelRequests(ids: readonly string[]): Promise<string[]> {
    return ids.filter((id) => this.#jobs.get(id)?.cancelRequested);
  }

  async close(): Promise<void> {
    for (const slot of this.#jobs.values()) this.#wake(slot);
  }

  #live(id: string): Slot | undefined {
    const slot = this.#jobs.get(id);
    if (slot?.expiresAt !== undefined && slot.expiresAt <= this.#now()) {
      this.#drop(id, slot);
      return undefined;
    }
    return slot;
  }

  #push(slot: Slot, event: JobEvent): void {
    const bytes = eventBytes(event);
    slot.events.push(event);
    slot.bytes += bytes;
    this.#bytes += bytes;
    this.#trim();
  }

  /** Over the cap: the oldest finished jobs go first (the map keeps insertion order, oldest first). */
  #trim(): void {
    if (this.#bytes <= this.#maxBytes) return;
    for (const [id, other] of this.#jobs) {
      if (this.#bytes <= this.#maxBytes) break;
      if (other.record.state !== 'running') this.#drop(id, other);
    }
  }

  #drop(id: string, slot: Slot): void {
    this.#jobs.delete(id);
    this.#retention.delete(id);
    this.#bytes -= slot.bytes;
  }

  #wake(slot: Slot): void {
    for (const waiter of [...slot.waiters]) waiter();
  }

  /** Finished jobs past their retention and expired keys go, so a long-lived process does not grow forever. */
  #sweep(): void {
    const now = this.#now();
    if (now - this.#sweptAt < 1000) return; // at most once a second: a burst of creates does not rescan every job
    this.#sweptAt = now;
    for (const [id, slot] of this.#jobs) {
      if (slot.expiresAt !== undefined && slot.expiresAt <= now) this.#drop(id, slot);
    }
    for (const [slot, entry] of this.#keys) if (entry.expiresAt <= now) this.#keys.delete(slot);
  }
}
