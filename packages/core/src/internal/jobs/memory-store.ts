/** Jobs in this process's memory: the default, right for one instance (N instances need a shared store). */
import type { CreateJobOptions, CreateJobResult, JobEntry, JobEvent, JobRecord, JobState, JobStore } from './store.js';

interface Slot {
  record: JobRecord;
  events: JobEvent[];
  waiters: Set<() => void>;
  cancelRequested: boolean;
  expiresAt: number | undefined;
}

export interface MemoryJobStoreOptions {
  now?: () => number;
}

export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, Slot>();
  readonly #keys = new Map<string, { jobId: string; expiresAt: number }>();
  readonly #retention = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: MemoryJobStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async create(record: JobRecord, options: CreateJobOptions): Promise<CreateJobResult> {
    this.#sweep();
    if (options.idempotencyKey !== undefined) {
      const slot = `${record.owner}\u0000${options.idempotencyKey}`;
      const live = this.#keys.get(slot);
      if (live && live.expiresAt > this.#now()) return { created: false, jobId: live.jobId };
      this.#keys.set(slot, { jobId: record.id, expiresAt: this.#now() + options.idempotencyTtlMs });
    }
    this.#jobs.set(record.id, { record: { ...record }, events: [], waiters: new Set(), cancelRequested: false, expiresAt: undefined });
    this.#retention.set(record.id, options.retentionMs);
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
    if (!slot || slot.record.state !== 'running') return;
    slot.events.push(event);
    this.#wake(slot);
  }

  async finish(id: string, event: JobEvent, state: Exclude<JobState, 'running'>, condition: { heartbeatBefore?: number } = {}): Promise<boolean> {
    const slot = this.#live(id);
    if (!slot || slot.record.state !== 'running') return false;
    if (condition.heartbeatBefore !== undefined && slot.record.heartbeatAt >= condition.heartbeatBefore) return false;
    slot.events.push(event);
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
      this.#jobs.delete(id);
      this.#retention.delete(id);
      return undefined;
    }
    return slot;
  }

  #wake(slot: Slot): void {
    for (const waiter of [...slot.waiters]) waiter();
  }

  /** Finished jobs past their retention and expired keys go, so a long-lived process does not grow forever. */
  #sweep(): void {
    const now = this.#now();
    for (const [id, slot] of this.#jobs) {
      if (slot.expiresAt !== undefined && slot.expiresAt <= now) {
        this.#jobs.delete(id);
        this.#retention.delete(id);
      }
    }
    for (const [slot, entry] of this.#keys) if (entry.expiresAt <= now) this.#keys.delete(slot);
  }
}
